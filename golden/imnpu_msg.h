/* Error messages of the readers of outside input: one printable line. */
#ifndef IMNPU_MSG_H
#define IMNPU_MSG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Make s (a buffer of size bytes) one printable line in place: a control
 * character a message quotes from its input (a newline inside a JSON key,
 * say) becomes \xNN; the text is cut to fit. */
void imnpu_msg_one_line(char *s, size_t size);

#ifdef __cplusplus
}
#endif

#endif
