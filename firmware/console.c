/* stdout on the SoC's console: picolibc's stdio writes each character to
 * the console's TX register. */
#include <stdio.h>

#include "soc.h"

static int console_putc(char c, FILE *f)
{
	(void)f;
	*(volatile uint8_t *)(SOC_CONSOLE_BASE + CONSOLE_TX) = (uint8_t)c;
	return (unsigned char)c;
}

static FILE console = FDEV_SETUP_STREAM(console_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &console;
FILE *const stderr = &console;
