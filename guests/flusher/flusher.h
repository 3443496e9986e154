/* The flusher guest: VPs that take commands from the management partition through the mailbox
 * (guests/flusher/mailbox.h), make Hyper-V flush hypercalls and check the PTE swap. */
#ifndef FLUSHER_H
#define FLUSHER_H

#include "guest.h"
#include "mailbox.h"

#define FLUSHER_IPI_FIRST 0x40 /* vectors 0x40..0x4f have the logging handler */
#define FLUSHER_IPI_LAST 0x4f
#define FLUSHER_WAKE_VECTOR 0x4f /* wakes the halted VPs at the end */

static inline struct mailbox_header *mb_header(void)
{
	return (struct mailbox_header *)(uintptr_t)MAILBOX_GPA;
}

static inline struct mailbox_slot *mb_slot(u32 vp)
{
	return (struct mailbox_slot *)(uintptr_t)MAILBOX_SLOT_GPA(vp);
}

/* True when mgmt has posted a command this VP has not taken yet. */
static inline bool mb_new_command(const struct mailbox_slot *s)
{
	return atomic_load_u32(&s->seq) != s->ack;
}

/* flush.c */
void flush_setup(void);                 /* VP 0, once: test pages and the test mapping */
void flush_run(struct mailbox_slot *s); /* MB_CMD_FLUSH on the calling VP */
void order_log(struct mailbox_slot *s, u64 ev);
extern volatile u32 in_call[MINIHV_MAX_VPS];

#endif
