/* The management calls (include/abi/minihv_abi.h, docs/api.md) and HvCall{Get,Set}VpRegisters, memory
 * form: the input is built in one page, the output lands in another (they must not overlap). */
#include "mgmt.h"

u16 mg_status;
static u8 *in_page, *out_page;

void mg_calls_init(void)
{
	in_page = page_alloc(1);
	out_page = page_alloc(1);
	guest_check(in_page && out_page, "mgmt: out of pages for the hypercall buffers");
}

/* A status name ("INVALID_PARAMETER", with or without HV_STATUS_) back to its value, through the
 * runtime's hv_status_name() (guests/lib/hyperv.c). */
bool hv_status_parse(const char *s, u64 *st)
{
	if (!strncmp(s, "HV_STATUS_", 10))
		s += 10;
	for (u16 code = 0; code < 0x40; code++)
		if (!strcmp(hv_status_name(code), s)) {
			*st = code;
			return true;
		}
	return false;
}

static u16 call(u64 control, const void *in, u32 in_size)
{
	memcpy(in_page, in, in_size);
	mg_status = HV_HYPERCALL_STATUS(hypercall(control, (u64)(uintptr_t)in_page, (u64)(uintptr_t)out_page));
	return mg_status;
}

u16 mg_get_partition(u64 pid, struct minihv_partition_info *out)
{
	struct minihv_target t = { .partition_id = pid };
	u16 st = call(MINIHV_CALL_GET_PARTITION, &t, sizeof(t));
	if (st == HV_STATUS_SUCCESS)
		memcpy(out, out_page, sizeof(*out));
	return st;
}

u16 mg_get_vp(u64 pid, u32 vp, struct minihv_vp_info *out)
{
	struct minihv_target t = { .partition_id = pid, .vp_index = vp };
	u16 st = call(MINIHV_CALL_GET_VP, &t, sizeof(t));
	if (st == HV_STATUS_SUCCESS)
		memcpy(out, out_page, sizeof(*out));
	return st;
}

u16 mg_set_inhibit_raw(const struct minihv_tlb_flush_inhibit_input *in)
{
	return call(MINIHV_CALL_SET_TLB_FLUSH_INHIBIT, in, sizeof(*in));
}

u16 mg_set_inhibit(u64 pid, u32 vp, bool inhibit)
{
	struct minihv_tlb_flush_inhibit_input in = {
		.target = { .partition_id = pid, .vp_index = vp },
		.inhibit = { .flags = 0, .inhibit = inhibit ? MINIHV_INHIBIT_TLB_FLUSH : MINIHV_UNINHIBIT_TLB_FLUSH },
	};
	return mg_set_inhibit_raw(&in);
}

u16 mg_set_reg(u64 pid, u32 vp, u32 name, u64 value)
{
	struct {
		struct hv_input_set_vp_registers h;
		struct hv_register_assoc e;
	} in = { .h = { .partition_id = pid, .vp_index = vp }, .e = { .name = name, .value.reg64 = value } };
	return call(HVCALL_SET_VP_REGISTERS | HV_HYPERCALL_REP_COMP_1, &in, sizeof(in));
}

u16 mg_get_reg(u64 pid, u32 vp, u32 name, u64 *value)
{
	struct {
		struct hv_input_get_vp_registers h;
		u32 name;
		u32 pad;
	} in = { .h = { .partition_id = pid, .vp_index = vp }, .name = name };
	u16 st = call(HVCALL_GET_VP_REGISTERS | HV_HYPERCALL_REP_COMP_1, &in, sizeof(in));
	if (st == HV_STATUS_SUCCESS)
		*value = ((const union hv_register_value *)out_page)->reg128.low_part;
	return st;
}

u16 mg_read(u64 pid, u64 gpa, void *buf, u32 size)
{
	struct minihv_memory_input in = { .partition_id = pid, .gpa = gpa, .size = size };
	u16 st = call(MINIHV_CALL_READ_MEMORY, &in, sizeof(in));
	if (st == HV_STATUS_SUCCESS)
		memcpy(buf, out_page, size);
	return st;
}

u16 mg_write(u64 pid, u64 gpa, const void *buf, u32 size)
{
	/* The bytes follow the header in the input page (at most 4096 - 24 of them). */
	struct minihv_memory_input in = { .partition_id = pid, .gpa = gpa, .size = size };
	memcpy(in_page + sizeof(in), buf, size);
	return call(MINIHV_CALL_WRITE_MEMORY, &in, sizeof(in));
}

u16 mg_translate(u64 pid, u32 vp, u64 gva, u64 flags, u32 reserved, bool ex, u64 *result, u64 *gpa_page)
{
	struct hv_input_translate_virtual_address in = {
		.partition_id = pid, .vp_index = vp, .reserved = reserved, .control_flags = flags, .gva_page = gva >> 12,
	};
	u16 st = call(ex ? HVCALL_TRANSLATE_VIRTUAL_ADDRESS_EX : HVCALL_TRANSLATE_VIRTUAL_ADDRESS, &in, sizeof(in));
	if (st != HV_STATUS_SUCCESS)
		return st;
	if (ex) {
		const struct hv_output_translate_virtual_address_ex *o = (const void *)out_page;
		*result = o->translation_result;
		*gpa_page = o->gpa_page;
	} else {
		const struct hv_output_translate_virtual_address *o = (const void *)out_page;
		*result = o->translation_result;
		*gpa_page = o->gpa_page;
	}
	return st;
}

u16 mg_read_trace(u64 since, u32 max, const struct minihv_trace_output **out)
{
	struct minihv_trace_input in = { .since_tsc = since, .max = max };
	u16 st = call(MINIHV_CALL_READ_TRACE, &in, sizeof(in));
	*out = (const struct minihv_trace_output *)out_page;
	return st;
}

void mg_shutdown(void)
{
	console_flush();
	hypercall_fast(MINIHV_CALL_SHUTDOWN, 0, 0);
	guest_fail("mgmt: MINIHV_CALL_SHUTDOWN returned");
}
