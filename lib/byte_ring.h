/* A byte ring for one producer and one consumer, each serialised by its owner (a lock or a single
 * CPU): the console's receive path (core/serial.c) and each partition's UART receive buffer
 * (vdev/vuart.c). Free-running 32-bit indices; the byte is stored before the producer publishes the
 * new tail, so a consumer on another CPU never reads a byte that is not there yet. Pure: host unit
 * tests (tests/unit/test_byte_ring.c) link it unchanged. */
#ifndef MINIHV_BYTE_RING_H
#define MINIHV_BYTE_RING_H

#include "types.h"

/* Holds a pasted line with room to spare: 4 KiB is 0.36 s of input at 115200 baud. */
#define BYTE_RING_SIZE 4096u

struct byte_ring {
	u32 head; /* next byte to take; written by the consumer */
	u32 tail; /* next free slot; written by the producer */
	u8 buf[BYTE_RING_SIZE];
};

_Static_assert((BYTE_RING_SIZE & (BYTE_RING_SIZE - 1)) == 0, "index wrap needs a power of two");

static inline u32 byte_ring_count(const struct byte_ring *r)
{
	return __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) - __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
}

static inline bool byte_ring_empty(const struct byte_ring *r)
{
	return byte_ring_count(r) == 0;
}

/* Producer side. False (nothing stored) when the ring is full. */
static inline bool byte_ring_push(struct byte_ring *r, u8 c)
{
	u32 tail = r->tail;
	if (tail - __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) >= BYTE_RING_SIZE)
		return false;
	r->buf[tail % BYTE_RING_SIZE] = c;
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

/* Consumer side: the oldest byte, or -1 when the ring is empty. */
static inline int byte_ring_pop(struct byte_ring *r)
{
	u32 head = r->head;
	if (__atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) == head)
		return -1;
	u8 c = r->buf[head % BYTE_RING_SIZE];
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	return c;
}

/* Consumer side: the oldest byte without taking it, or -1. */
static inline int byte_ring_peek(const struct byte_ring *r)
{
	u32 head = r->head;
	if (__atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) == head)
		return -1;
	return r->buf[head % BYTE_RING_SIZE];
}

/* Consumer side: drops everything stored so far (a UART's FIFO reset). */
static inline void byte_ring_clear(struct byte_ring *r)
{
	__atomic_store_n(&r->head, __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
}

#endif
