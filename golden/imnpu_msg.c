/* IMNPU: the readers' error messages made one printable line (see imnpu_msg.h). */
#include "imnpu_msg.h"

#include <stdio.h>
#include <string.h>

void imnpu_msg_one_line(char *s, size_t size)
{
	size_t n = strlen(s), ctl = 0;
	for (size_t i = 0; i < n; i++)
		ctl += (unsigned char)s[i] < 0x20 || s[i] == 0x7f;
	if (!ctl || size < 5)
		return;
	char out[4096];
	size_t o = 0;
	for (size_t i = 0; i < n && o + 5 < sizeof out && o + 5 < size; i++) {
		const unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	memcpy(s, out, o + 1);
}
