/*
 * The TLB-flush inhibit / suspend / wake protocol as hv/inhibit.c and hv/flush.c implement it, for spin.
 *
 * MUST CHANGE TOGETHER with hv/inhibit.c (inhibit_set, inhibit_suspend_on, release_waiters, the flush epochs)
 * and with the order of hv_flush_execute() in hv/flush.c: each step below names the line it stands for.
 * `make model` (tests/model-check) runs it; docs/inhibit-model.md says what it proves and what it leaves out.
 *
 * Processes: NFLUSHERS flushers, each a VP alone on its CPU that makes FLUSHES flush hypercalls to a
 * non-empty set of the two inhibitable targets (VPs on CPUs of their own, which never run here: a flush
 * completes on them by being posted); and the management partition's VP on one more CPU, which makes
 * OPS choices among set, clear, explicit suspend and resume, then clears everything and resumes everyone.
 *
 * Proved: no invalid end state (no deadlock, and no flusher left suspended once every flag is clear);
 * no reachable state where a flusher is suspended on a target whose flag is clear while no clear of it is
 * in progress (a lost wake-up); and no flush completes on a target after the set of its flag returned.
 * Seeded bugs (-DBUG_NO_REREAD: the flusher does not re-read the flag under inhibit_lock;
 * -DBUG_NO_EPOCH_WAIT: the setter does not wait out flushes in progress) must make spin fail.
 */

#ifndef NFLUSHERS
#define NFLUSHERS 3
#endif
#define NTARGETS 2
#ifndef FLUSHES
#define FLUSHES 2
#endif
#ifndef OPS
#define OPS 4
#endif

#define BLOCK_EXPLICIT_SUSPEND 2 /* enum vp_block */
#define BLOCK_FLUSH_WAIT 4

bit flag[NTARGETS];            /* vp.tlb_flush_inhibit */
bit lock[NTARGETS];            /* vp.inhibit_lock */
byte waiters[NTARGETS];        /* vp.waiters: bit f = flusher f */
byte blocked[NFLUSHERS];       /* vp.blocked */
byte waiting_on[NFLUSHERS];    /* vp.waiting_on: target + 1, or 0 */
bit in_guest[NFLUSHERS];       /* vp.in_guest */
byte epoch[NFLUSHERS];         /* cpu.flush_epoch of flusher f's CPU: odd while it runs a flush */
byte finished;

/* Ghosts: not in the code, only for the properties. */
bit inhibited[NTARGETS];       /* the set returned, and no clear has begun */
bit clearing[NTARGETS];        /* from a clear's store of 0 to the end of its release_waiters() */

inline lock_acquire(t) { atomic { lock[t] == 0 -> lock[t] = 1 } }
inline lock_release(t) { lock[t] = 0 }

#define LOST(f) ((blocked[f] & BLOCK_FLUSH_WAIT) && waiting_on[f] > 0 && \
		 !flag[waiting_on[f] - 1] && !clearing[waiting_on[f] - 1])

/* inhibit_check_targets' look at target t: inhibit_check_target: the lock-free read, then inhibit_suspend_on() under the lock. */
inline check_target(t)
{
	if
	:: !suspended && (set & (1 << t)) && flag[t] ->
		lock_acquire(t);
		d_step {
#ifndef BUG_NO_REREAD
			if
			:: flag[t] -> /* re-read under the lock: a clear since the read must not be missed */
#else
			if
			:: true ->
#endif
				waiting_on[f] = t + 1;
				waiters[t] = waiters[t] | (1 << f);
				blocked[f] = blocked[f] | BLOCK_FLUSH_WAIT; /* vp_block */
				suspended = 1
			:: else -> skip
			fi
		};
		lock_release(t)
	:: else -> skip
	fi
}

proctype flusher(byte f)
{
	byte done = 0, set;
	bit suspended;
	do
	:: done == FLUSHES -> break
	:: else ->
		/* vmx/sched.c run_vp: runnable only without block reasons; in_guest = 1, then re-check */
		(blocked[f] == 0);
		in_guest[f] = 1;
		if
		:: blocked[f] != 0 -> in_guest[f] = 0; goto next
		:: else -> skip
		fi;
		atomic {
			in_guest[f] = 0; /* the VMCALL */
			if
			:: set = 1
			:: set = 2
			:: set = 3
			fi;
			epoch[f] = (epoch[f] + 1) % 4; /* hv_flush_execute: inhibit_flush_begin */
			suspended = 0
		};
		check_target(0);
		check_target(1);
		if
		:: suspended ->
			/* inhibit_flush_end; the VMCALL is re-executed once released */
			d_step { epoch[f] = (epoch[f] + 1) % 4; set = 0; suspended = 0 }
		:: else ->
			/* post_and_wait: the flush completes on every target before the epoch ends */
			d_step {
				assert(!((set & 1) && inhibited[0]));
				assert(!((set & 2) && inhibited[1]));
				set = 0
			};
			d_step { epoch[f] = (epoch[f] + 1) % 4; done++ } /* inhibit_flush_end */
		fi;
next:		skip
	od;
	finished++
}

/* One CPU's part of the setter's epoch wait: an odd epoch must move on. mod 4 keeps the state small;
 * a flusher that came round to the same value makes the setter wait once more, never less. */
inline wait_epoch(c)
{
	e = epoch[c];
	if
	:: e % 2 == 1 -> (epoch[c] != e)
	:: else -> skip
	fi;
	e = 0
}

/* inhibit_set(t, 1): store under the lock, then wait out every odd epoch seen. */
inline set_flag(t)
{
	lock_acquire(t);
	flag[t] = 1;
	lock_release(t);
#ifndef BUG_NO_EPOCH_WAIT
	wait_epoch(0);
	wait_epoch(1);
#if NFLUSHERS > 2
	wait_epoch(2);
#endif
#endif
	inhibited[t] = 1
}

/* inhibit_set(t, 0): store under the lock, then release_waiters(). */
inline clear_flag(t)
{
	inhibited[t] = 0;
	lock_acquire(t);
	d_step { flag[t] = 0; clearing[t] = 1 };
	lock_release(t);
	lock_acquire(t);
	d_step { w = waiters[t]; waiters[t] = 0 };
	lock_release(t);
	d_step { /* each waiter: waiting_on = NULL, vp_unblock */
		c = 0;
		do
		:: c == NFLUSHERS -> break
		:: else ->
			if
			:: w & (1 << c) ->
				waiting_on[c] = 0;
				blocked[c] = blocked[c] & ~BLOCK_FLUSH_WAIT
			:: else -> skip
			fi;
			c++
		od;
		c = 0;
		w = 0;
		clearing[t] = 0
	}
}

active proctype management()
{
	byte ops = 0, t, c, e, w, f;
	byte i = 0;
	atomic {
		do
		:: i == NFLUSHERS -> break
		:: else -> run flusher(i); i++
		od
	};
	do
	:: ops == OPS -> break
	:: else ->
		if
		:: t = 0
		:: t = 1
		fi;
		if
		:: set_flag(t)
		:: clear_flag(t)
		:: if /* hv/mgmt.c explicit_suspend: block, then wait until it is out of guest mode */
		   :: f = 0
		   :: f = 1
		   fi;
		   blocked[f] = blocked[f] | BLOCK_EXPLICIT_SUSPEND;
		   (in_guest[f] == 0)
		:: blocked[0] = blocked[0] & ~BLOCK_EXPLICIT_SUSPEND
		:: blocked[1] = blocked[1] & ~BLOCK_EXPLICIT_SUSPEND
		fi;
		d_step { ops++; t = 0; f = 0 }
	od;
	/* Clear every flag and resume every VP: then every flusher must finish. */
	clear_flag(0);
	clear_flag(1);
	i = 0;
	do
	:: i == NFLUSHERS -> break
	:: else -> blocked[i] = blocked[i] & ~BLOCK_EXPLICIT_SUSPEND; i++
	od;
	(finished == NFLUSHERS)
}

/* A lost wake-up: suspended on a clear flag with no clear under way. */
active proctype watch()
{
end:	(LOST(0) || LOST(1)
#if NFLUSHERS > 2
	 || LOST(2)
#endif
	);
	assert(false)
}
