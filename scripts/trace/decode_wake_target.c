// SPDX-License-Identifier: GPL-2.0
/*
 * Decode signal:signal_wake_target with libtraceevent, as perf and
 * trace-cmd do: parse the event's format file as the kernel wrote it, fill
 * one record per reason value by the field offsets that file gives, and
 * print each record with the format's own print fmt.  A reason printed
 * with __print_symbolic() on an enum that the kernel did not export with
 * TRACE_DEFINE_ENUM() leaves the enum's name in the format, which
 * libtraceevent cannot evaluate: the reasons do not come out.
 *
 * Usage: decode_wake_target FORMAT [REASONS]
 * Prints one line per reason value 0 .. REASONS-1 (default 7): the value,
 * a tab, and the event's text.  Exits 1 when the format does not parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>
#include <traceevent/trace-seq.h>

static char *slurp(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);
	FILE *f = fopen(path, "r");

	if (!f || !buf)
		return NULL;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				return NULL;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Store @val in @rec at @name's offset, as the format says. */
static int set_field(struct tep_event *event, char *rec, const char *name,
		     long val)
{
	struct tep_format_field *field = tep_find_any_field(event, name);

	if (!field)
		return -1;
	switch (field->size) {
	case 1:
		*(char *)(rec + field->offset) = val;
		break;
	case 2:
		*(short *)(rec + field->offset) = val;
		break;
	case 4:
		*(int *)(rec + field->offset) = val;
		break;
	case 8:
		*(long long *)(rec + field->offset) = val;
		break;
	default:
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct tep_record record = { 0 };
	struct tep_event *event = NULL;
	struct tep_handle *tep;
	struct trace_seq s;
	int reasons = 7, i;
	char rec[256];
	size_t len;
	char *text;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FORMAT [REASONS]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		reasons = atoi(argv[2]);
	text = slurp(argv[1], &len);
	if (!text) {
		perror(argv[1]);
		return 2;
	}
	tep = tep_alloc();
	if (!tep || tep_parse_format(tep, &event, text, len, "signal")) {
		fprintf(stderr, "%s: libtraceevent cannot parse it\n", argv[1]);
		return 1;
	}
	tep_set_long_size(tep, sizeof(long));
	for (i = 0; i < reasons; i++) {
		memset(rec, 0, sizeof(rec));
		if (set_field(event, rec, "common_type", event->id) ||
		    set_field(event, rec, "common_pid", 100) ||
		    set_field(event, rec, "sig", 10) ||
		    set_field(event, rec, "tgid", 100) ||
		    set_field(event, rec, "named", 100) ||
		    set_field(event, rec, "chosen", 101) ||
		    set_field(event, rec, "reason", i) ||
		    set_field(event, rec, "threads", 0)) {
			fprintf(stderr, "%s: a field is missing\n", argv[1]);
			return 1;
		}
		record.data = rec;
		record.size = sizeof(rec);
		trace_seq_init(&s);
		tep_print_event(tep, &s, &record, "%s", TEP_PRINT_INFO);
		trace_seq_terminate(&s);
		printf("%d\t%s\n", i, s.buffer);
		trace_seq_destroy(&s);
	}
	tep_free(tep);
	free(text);
	return 0;
}
