/* COM1 16550, polled. */
#ifndef MINIHV_SERIAL_H
#define MINIHV_SERIAL_H

#include "types.h"

void serial_init(void);
void serial_putc(char c);
int serial_getc(void);
void serial_drain(void);

#endif
