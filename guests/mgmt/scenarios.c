/* Scenarios: named step lists in the file that the config hands to this partition (`module = FILE`,
 * docs/testing.md). The file is text; a line `[steps NAME]` starts the list NAME and every other line up
 * to the next such header is one step for run_line() (blank lines and # comments are skipped). A
 * scenario prints `PASS scenario NAME (...)` or `FAIL scenario NAME: step N (...): why`. */
#include "mgmt.h"

static const char *module_text;
static size_t module_len;

void scenario_init(const struct minihv_boot_info *bi)
{
	module_text = (const char *)(uintptr_t)bi->module_start;
	module_len = bi->module_size;
}

/* One line of the module at *pos (without its line break, blanks at both ends trimmed), copied to buf. */
static bool next_line(size_t *pos, char *buf, size_t size)
{
	if (*pos >= module_len)
		return false;
	size_t start = *pos, end = start;
	while (end < module_len && module_text[end] != '\n')
		end++;
	*pos = end + 1;
	while (start < end && (module_text[start] == ' ' || module_text[start] == '\t'))
		start++;
	while (end > start && (module_text[end - 1] == ' ' || module_text[end - 1] == '\t' || module_text[end - 1] == '\r'))
		end--;
	size_t n = MIN(end - start, size - 1);
	memcpy(buf, module_text + start, n);
	buf[n] = 0;
	return true;
}

/* The name of a `[steps NAME]` header line, or NULL. Modifies line. */
static const char *header_name(char *line)
{
	size_t n = strlen(line);
	if (strncmp(line, "[steps ", 7) || n < 9 || line[n - 1] != ']')
		return NULL;
	line[n - 1] = 0;
	char *name = line + 7;
	while (*name == ' ')
		name++;
	return name;
}

static bool is_step(const char *line)
{
	return line[0] && line[0] != '#';
}

void scenario_list(void)
{
	char line[256], name[64] = "";
	size_t pos = 0;
	u32 steps = 0;
	if (!module_len) {
		printf("  (none: the config gives this partition no module = FILE with [steps NAME] lists)\n");
		return;
	}
	while (next_line(&pos, line, sizeof(line))) {
		const char *h = header_name(line);
		if (h) {
			if (name[0])
				printf("  %-26s %u steps\n", name, steps);
			strlcpy(name, h, sizeof(name));
			steps = 0;
		} else if (name[0] && is_step(line)) {
			steps++;
		}
	}
	if (name[0])
		printf("  %-26s %u steps\n", name, steps);
}

static bool run_step(const char *name, u32 n, const char *text, u64 start)
{
	char buf[256];
	while (*text == ' ')
		text++;
	if (!*text)
		return true;
	strlcpy(buf, text, sizeof(buf));
	printf("step %u @%lu ms: %s\n", n, tsc_to_us(rdtsc() - start) / 1000, buf);
	if (run_line(buf))
		return true;
	printf("FAIL scenario %s: step %u (%s): %s\n", name, n, text, mg_err);
	return false;
}

static bool finish(const char *name, bool ok, u64 start, u32 steps)
{
	if (!ok) {
		/* What the machine looked like when it failed. */
		char cmd[8] = "list";
		run_line(cmd);
		return false;
	}
	printf("PASS scenario %s (%u steps, %lu ms of TSC time)\n", name, steps, tsc_to_us(rdtsc() - start) / 1000);
	return true;
}

bool scenario_run(const char *name)
{
	char line[256];
	size_t pos = 0;
	bool in = false, found = false, ok = true;
	u64 start = rdtsc();
	u32 n = 0;
	while (ok && next_line(&pos, line, sizeof(line))) {
		const char *h = header_name(line);
		if (h) {
			if (in)
				break;
			in = found = !strcmp(h, name);
			if (found)
				printf("scenario %s: steps from the module\n", name);
		} else if (in && is_step(line)) {
			ok = run_step(name, ++n, line, start);
		}
	}
	if (!found) {
		printf("FAIL scenario %s: no such scenario in the module; it has:\n", name);
		scenario_list();
		return false;
	}
	return finish(name, ok, start, n);
}

bool scenario_run_steps(const char *name, const char *steps)
{
	char step[256];
	u64 start = rdtsc();
	u32 n = 0;
	bool ok = true;
	printf("scenario %s: steps from the command line\n", name);
	while (*steps && ok) {
		size_t len = 0;
		while (steps[len] && steps[len] != ';')
			len++;
		if (len >= sizeof(step))
			len = sizeof(step) - 1;
		memcpy(step, steps, len);
		step[len] = 0;
		steps += len;
		if (*steps == ';')
			steps++;
		ok = run_step(name, ++n, step, start);
	}
	return finish(name, ok, start, n);
}
