/* The legacy ports a PC partition answers besides COM1 and the 8259s (docs/platform.md): an 8254 PIT
 * that counts but raises no IRQ 0, port 0x61, CMOS/RTC with a clock that runs from 2026-01-01, a
 * keyboard controller that has no data, and port 0x80. Everything else stays an empty bus (io.c). */
#include "hv.h"
#include "legacy_io.h"
#include "lib.h"
#include "timer.h"
#include "x86.h"

#define PIT_HZ 1193182ull
#define PIT_CH0 0x40
#define PIT_CONTROL 0x43
#define PORT_SYSTEM_CONTROL_B 0x61
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define KBC_DATA 0x60
#define KBC_STATUS 0x64
#define POST_CODE 0x80

/* RTC registers (MC146818) */
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY_OF_WEEK 0x06
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_STATUS_C 0x0c
#define RTC_STATUS_D 0x0d
#define RTC_CENTURY 0x32
#define RTC_B_24H 0x02
#define RTC_B_BINARY 0x04
#define RTC_D_VRT 0x80 /* valid RAM and time: the battery is good */

#define RTC_EPOCH 1767225600ull /* 2026-01-01 00:00:00 UTC: the clock starts there when minihv boots */

/* PIT clocks since boot, without a 128-bit division (the EFI link has no libgcc). */
static u64 pit_now(void)
{
	if (!tsc_khz)
		return 0;
	u64 tsc = rdtsc(), ms = tsc / tsc_khz, rest = tsc % tsc_khz;
	return ms * PIT_HZ / 1000 + rest * PIT_HZ / (tsc_khz * 1000);
}

void legacy_io_init(struct partition *p)
{
	struct legacy_io *l = &p->legacy;
	memset(l, 0, sizeof(*l));
	l->lock = (spinlock_t)SPINLOCK_INIT;
	for (u32 i = 0; i < 3; i++) {
		l->pit[i].access = 3;
		l->pit[i].mode = 3;
	}
	l->cmos[RTC_STATUS_A] = 0x26; /* 32.768 kHz time base, 1.024 kHz rate */
	l->cmos[RTC_STATUS_B] = RTC_B_24H;
}

/* ---- 8254 ---- */

static u64 pit_period(const struct pit_channel *c)
{
	return c->reload ? c->reload : 65536;
}

static u16 pit_count(const struct pit_channel *c, u64 now)
{
	if (!c->loaded)
		return c->reload;
	u64 period = pit_period(c), elapsed = now - c->start;
	switch (c->mode) {
	case 2:
		return (u16)(period - elapsed % period);
	case 3: /* square wave: counts down by two, twice per period */
		return (u16)((period - (2 * elapsed) % period) & ~1ull);
	default: /* one-shot modes keep counting down through zero */
		return (u16)(period - elapsed);
	}
}

static bool pit_out(const struct pit_channel *c, u64 now)
{
	if (!c->loaded)
		return c->mode != 0;
	u64 period = pit_period(c), elapsed = now - c->start;
	switch (c->mode) {
	case 0: return elapsed >= period;             /* interrupt on terminal count */
	case 2: return elapsed % period != period - 1; /* low for one clock per period */
	case 3: return elapsed % period < period / 2;
	case 4: return elapsed != period;              /* one low pulse at terminal count */
	default: return true;
	}
}

static void pit_latch(struct pit_channel *c, u64 now)
{
	if (c->latched)
		return; /* the first latch holds until it is read */
	c->latch = pit_count(c, now);
	c->latched = true;
	c->read_msb = false;
}

static void pit_control(struct legacy_io *l, u8 v, u64 now)
{
	u32 sc = v >> 6;
	if (sc == 3) { /* read-back: bit 5 clear latches counts, bit 4 clear latches status */
		for (u32 i = 0; i < 3; i++) {
			struct pit_channel *c = &l->pit[i];
			if (!(v & (2u << i)))
				continue;
			if (!(v & 0x20))
				pit_latch(c, now);
			if (!(v & 0x10) && !c->status_latched) {
				c->status = (u8)((pit_out(c, now) ? 0x80 : 0) | (c->loaded ? 0 : 0x40) | (c->access << 4) |
						 (c->mode << 1));
				c->status_latched = true;
			}
		}
		return;
	}
	struct pit_channel *c = &l->pit[sc];
	u32 access = (v >> 4) & 3;
	if (!access) {
		pit_latch(c, now);
		return;
	}
	c->access = (u8)access;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4; /* 6 and 7 are aliases of 2 and 3 */
	c->loaded = false;
	c->write_msb = c->read_msb = c->latched = false;
}

static void pit_write(struct pit_channel *c, u8 v, u64 now)
{
	switch (c->access) {
	case 1:
		c->reload = v;
		break;
	case 2:
		c->reload = (u16)(v << 8);
		break;
	default:
		if (!c->write_msb) {
			c->lsb = v;
			c->write_msb = true;
			return;
		}
		c->write_msb = false;
		c->reload = (u16)(c->lsb | v << 8);
		break;
	}
	c->start = now;
	c->loaded = true;
}

static u8 pit_read(struct pit_channel *c, u64 now)
{
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	u16 count = c->latched ? c->latch : pit_count(c, now);
	u8 v;
	if (c->access == 1) {
		v = (u8)count;
		c->latched = false;
	} else if (c->access == 2) {
		v = (u8)(count >> 8);
		c->latched = false;
	} else if (!c->read_msb) {
		v = (u8)count;
		c->read_msb = true;
	} else {
		v = (u8)(count >> 8);
		c->read_msb = false;
		c->latched = false;
	}
	return v;
}

/* ---- CMOS / RTC ---- */

/* Days since 1970-01-01 → civil date (proleptic Gregorian; eras of 400 years). */
static void civil_from_days(u64 days, u32 *year, u32 *month, u32 *day)
{
	u64 z = days + 719468; /* days from 0000-03-01 */
	u64 era = z / 146097, doe = z % 146097;
	u64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	u64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	u64 mp = (5 * doy + 2) / 153; /* March = 0 */
	*day = (u32)(doy - (153 * mp + 2) / 5 + 1);
	*month = (u32)(mp < 10 ? mp + 3 : mp - 9);
	*year = (u32)(yoe + era * 400 + (*month <= 2));
}

static u8 rtc_encode(const struct legacy_io *l, u32 v)
{
	return (l->cmos[RTC_STATUS_B] & RTC_B_BINARY) ? (u8)v : (u8)((v / 10) << 4 | v % 10);
}

static u8 cmos_read(struct legacy_io *l, u8 index)
{
	u64 now = RTC_EPOCH + (tsc_khz ? rdtsc() / (tsc_khz * 1000) : 0);
	u64 days = now / 86400, secs = now % 86400;
	u32 year, month, day;
	civil_from_days(days, &year, &month, &day);
	u32 hour = (u32)(secs / 3600);
	switch (index) {
	case RTC_SECONDS: return rtc_encode(l, (u32)(secs % 60));
	case RTC_MINUTES: return rtc_encode(l, (u32)(secs / 60 % 60));
	case RTC_HOURS:
		if (l->cmos[RTC_STATUS_B] & RTC_B_24H)
			return rtc_encode(l, hour);
		return (u8)(rtc_encode(l, hour % 12 ? hour % 12 : 12) | (hour >= 12 ? 0x80 : 0));
	case RTC_DAY_OF_WEEK: return rtc_encode(l, (u32)((days + 4) % 7 + 1)); /* 1970-01-01: Thursday; Sunday = 1 */
	case RTC_DAY_OF_MONTH: return rtc_encode(l, day);
	case RTC_MONTH: return rtc_encode(l, month);
	case RTC_YEAR: return rtc_encode(l, year % 100);
	case RTC_CENTURY: return rtc_encode(l, year / 100);
	case RTC_STATUS_A: return l->cmos[RTC_STATUS_A] & 0x7f; /* UIP never set: no update in progress */
	case RTC_STATUS_C: return 0; /* no RTC interrupt flags */
	case RTC_STATUS_D: return RTC_D_VRT;
	default: return l->cmos[index];
	}
}

static void cmos_write(struct legacy_io *l, u8 index, u8 v)
{
	switch (index) {
	case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH: case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
	case RTC_STATUS_C: case RTC_STATUS_D:
		break; /* the clock cannot be set; C and D are read-only */
	default:
		l->cmos[index] = v; /* alarms, status A/B, the shutdown status 0x0F and the rest of the RAM */
		break;
	}
}

bool legacy_io(struct partition *p, u16 port, bool in, u32 size, u32 *value)
{
	if (p->cfg->platform != PLATFORM_PC)
		return false;
	struct legacy_io *l = &p->legacy;
	u8 v = (u8)*value, r = 0xff;
	switch (port) {
	case PIT_CH0: case PIT_CH0 + 1: case PIT_CH0 + 2: case PIT_CONTROL:
	case PORT_SYSTEM_CONTROL_B: case CMOS_INDEX: case CMOS_DATA:
	case KBC_DATA: case KBC_STATUS: case POST_CODE:
		break;
	default:
		return false;
	}
	spin_lock(&l->lock);
	u64 now = pit_now();
	switch (port) {
	case PIT_CONTROL:
		if (!in)
			pit_control(l, v, now);
		break; /* the control word is write-only: reads float */
	case PORT_SYSTEM_CONTROL_B:
		/* 3:0 gate 2, speaker, parity and channel checks (stored); 4 refresh toggle (every 15 us);
		 * 5 OUT of PIT channel 2; 7:6 no parity or channel-check error. */
		if (in)
			r = (u8)((l->port61 & 0x0f) | ((now / 18) & 1) << 4 | pit_out(&l->pit[2], now) << 5);
		else
			l->port61 = v & 0x0f;
		break;
	case CMOS_INDEX:
		if (in)
			r = l->cmos_index;
		else
			l->cmos_index = v & 0x7f; /* bit 7 is the NMI mask: nothing to mask here */
		break;
	case CMOS_DATA:
		if (in)
			r = cmos_read(l, l->cmos_index);
		else
			cmos_write(l, l->cmos_index, v);
		break;
	case KBC_DATA:
	case KBC_STATUS:
		r = 0x00; /* no controller data: output and input buffers empty; commands are dropped */
		break;
	case POST_CODE:
		break; /* writes (I/O delays, POST codes) are dropped; reads float */
	default: /* PIT counters 0-2 */
		if (in)
			r = pit_read(&l->pit[port - PIT_CH0], now);
		else
			pit_write(&l->pit[port - PIT_CH0], v, now);
		break;
	}
	spin_unlock(&l->lock);
	if (in)
		*value = size == 1 ? r : (0xffffff00u | r);
	return true;
}
