/* The command mailbox between the management partition (guests/mgmt) and the flusher guest
 * (guests/flusher). It lies at a fixed GPA in the flusher's RAM; mgmt reads and writes it with
 * MINIHV_CALL_READ_MEMORY / MINIHV_CALL_WRITE_MEMORY, the flusher's VPs through the identity map.
 *
 * Protocol, per VP slot: mgmt writes the command fields, then bumps `seq` in a second write. The VP
 * notices seq != ack, copies the command, sets ack = seq and state, and runs it; it looks at seq again
 * between flush calls (and all the time while reading), so a new command ends the current one. Every
 * field is a naturally aligned u32/u64 that one side writes and the other only reads (minihv copies
 * aligned words whole, docs/api.md), so no value is ever seen half written. */
#ifndef GUESTS_MAILBOX_H
#define GUESTS_MAILBOX_H

#include "types.h"
#include "minihv_abi.h"

/* 16 MiB: inside the flusher's free range when it has at least 32 MiB of RAM (it checks). */
#define MAILBOX_GPA 0x1000000ull
#define MAILBOX_MAGIC 0x584f424c49414d46ull /* "FMAILBOX", set once every slot is ready */
#define MAILBOX_SLOT_SIZE 512u
#define MAILBOX_SLOTS_GPA (MAILBOX_GPA + 0x1000)
#define MAILBOX_SIZE (0x1000 + MINIHV_MAX_VPS * MAILBOX_SLOT_SIZE)
#define MAILBOX_SLOT_GPA(vp) (MAILBOX_SLOTS_GPA + (u64)(vp) * MAILBOX_SLOT_SIZE)

/* The flusher's test mapping for the PTE-swap check (docs/tlfs-cases.md §5): one 4 KiB page at this GVA,
 * mapped in turn to MAILBOX_TEST_PAGES pages; the value read there tells which one a VP's TLB points at. */
/* 512 GiB + 0x155000: PML4 slot 1, away from the identity map. Bochs' TLB is direct-mapped on bits 21:12
 * of the address, so the low bits keep the test page out of the slots of the mailbox (0x1000000 + ...),
 * the image and the stacks: a page sharing its slot would evict its translation at every access, and no
 * stale entry could ever be seen. */
#define MAILBOX_TEST_GVA 0x8000155000ull
/* Swap n maps page_gpa[n % MAILBOX_TEST_PAGES] and first writes MAILBOX_SWAP_VALUE_BASE | n into it (swap 0:
 * the initial mapping). Three pages, not two: a translation two swaps old then names another page than the
 * current one or the next (translate-race tells them apart). */
#define MAILBOX_TEST_PAGES 3
#define MAILBOX_SWAP_VALUE_BASE 0x7e57000000000000ull

/* Commands (slot.cmd). */
enum mb_cmd {
	MB_CMD_IDLE = 0,    /* poll the slot */
	MB_CMD_READ,        /* read MAILBOX_TEST_GVA in a loop and check it against header.expected */
	MB_CMD_FLUSH,       /* `count` flush calls (0: until the next command) with call/form/flags/targets */
	MB_CMD_IPI,         /* send_ipi(arg0 = VP, arg1 = vector) */
	MB_CMD_HVCALL,      /* a management call from a guest: arg0 = call code; must be refused */
	MB_CMD_EXIT,        /* return from guest_main; arg0 != 0: also wake and end the halted VPs */
};

enum mb_form {
	MB_FORM_MEMORY = 0, /* input in a page, RDX = its GPA */
	MB_FORM_FAST,       /* XMM fast call: RDX = AddressSpace, R8 = Flags, the rest in XMM0..5 */
};

/* slot.opts */
#define MB_OPT_SWAP BIT(0)      /* swap the test PTE before each call, publish the new value after */
#define MB_OPT_VERIFY BIT(1)    /* after each call wait until every reading target saw the new value */
#define MB_OPT_STI BIT(2)       /* interrupts on around the call (the IRQ-order probe) */
#define MB_OPT_SET_ALL BIT(3)   /* Ex calls: HV_VP_SET format HV_GENERIC_SET_ALL */
#define MB_OPT_VERIFY_ALL BIT(4) /* control: wait for every reader, also those the call does not flush */
#define MB_OPT_RANDOM BIT(5)    /* each call flushes a random non-empty subset of targets (seed: arg0) */

/* slot.state, published by the VP. */
enum mb_state {
	MB_STATE_BOOT = 0,
	MB_STATE_IDLE,
	MB_STATE_READING,
	MB_STATE_FLUSHING,  /* between flush calls or inside one */
	MB_STATE_DONE,      /* the last command finished */
	MB_STATE_FAILED,    /* the last command was not understood (see the serial log) */
	MB_STATE_HALTED,    /* an inactive VP (index >= header.active): halts until MB_CMD_EXIT */
	MB_STATE_BUSY,      /* took a command (ack) and runs it */
};

struct mailbox_header {
	u64 magic;          /* MAILBOX_MAGIC when ready */
	u32 vp_count;
	u32 active;         /* VPs below this index take commands; the others halt */
	u64 expected;       /* PTE swap: the value at MAILBOX_TEST_GVA, 0 while it changes */
	u64 swaps;          /* PTE swaps so far */
	u64 page_gpa[MAILBOX_TEST_PAGES]; /* the pages behind MAILBOX_TEST_GVA */
	u64 pte_gpa;        /* GPA of its PTE */
	u64 vmcall_rip;     /* GVA of the VMCALL its flush calls execute (the runtime's hypercall_insn) */
	u32 exit_all;       /* set before the halted VPs are woken to end */
	u32 reserved;
};

struct mailbox_slot {
	/* ---- written by mgmt (bytes 0..127) ---- */
	u32 seq;            /* bumped after the rest of the command is written */
	u32 cmd;            /* enum mb_cmd */
	u32 call;           /* HVCALL_FLUSH_* */
	u32 form;           /* enum mb_form */
	u64 flags;          /* HV_FLUSH_* */
	u64 targets[2];     /* VP set: bit n of targets[n / 64] = VP n */
	u64 count;          /* flush calls; 0 = until the next command */
	u64 arg0, arg1;     /* per command */
	u32 opts;           /* MB_OPT_* */
	u32 cmd_reserved;
	u64 cmd_pad[7];
	/* ---- written by the VP (bytes 128..511) ---- */
	u32 ack;            /* seq of the command taken */
	u32 state;          /* enum mb_state */
	u64 entered;        /* flush VMCALLs started (published just before the VMCALL) */
	u64 done;           /* flush VMCALLs returned */
	u64 status;         /* RAX of the last call */
	u64 rax_in;         /* the sentinel RAX held when the last flush VMCALL was entered */
	u64 reads;          /* reader: loads of the test GVA */
	u64 checked;        /* reader: loads made while header.expected was stable and non-zero */
	u64 stale;          /* reader: loads that returned another page than header.expected */
	u64 seen;           /* reader: the last expected value verified */
	u64 verified;       /* flusher: calls after which every reading target saw the new page */
	u64 irqs;           /* interrupts taken by this VP */
	u64 irq_rip;        /* first interrupt taken inside a flush call: RIP, RAX, RCX of its frame */
	u64 irq_rax;
	u64 irq_rcx;
	u64 irq_done;       /* `done` at that moment */
	u64 order;          /* event log of the last call, 4 bits per event, oldest lowest: MB_EV_* */
	u64 iteration;      /* flush: the call of the current command being made or last made, from 1 */
	u64 posted;         /* flush: sum over the calls that returned SUCCESS of the VPs each one named */
	u64 failed;         /* flush: calls that returned another status */
	u64 vp_pad[29];
};

/* slot.order events */
#define MB_EV_CALL 1        /* about to execute the flush VMCALL */
#define MB_EV_IRQ 2         /* an interrupt was taken */
#define MB_EV_RETURN 3      /* the VMCALL returned */
#define MB_EV_STI 4         /* interrupts enabled again after a call made with IF = 0 */

_Static_assert(sizeof(struct mailbox_header) <= 0x1000, "mailbox header: one page");
_Static_assert(sizeof(struct mailbox_slot) == MAILBOX_SLOT_SIZE, "mailbox slot: 512 bytes");
_Static_assert(__builtin_offsetof(struct mailbox_slot, ack) == 128, "mailbox slot: VP half at 128");

#endif
