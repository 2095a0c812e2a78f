// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The layout of every record, as the compiler laid it out, in JSON: the
 * oracle tests/abi/test_abi.py holds the documentation and the Python
 * writers to. The records and fields come from the one table
 * (include/proclife_layout.h); offsets and sizes from offsetof/sizeof
 * (the table's own numbers are held to those by its _Static_asserts).
 *
 *   {"records": [{"name": "pl_fork", "group": "kernel", "size": 104,
 *     "fields": [{"name": "h", "offset": 0, "size": 80, "type": "struct pl_hdr"}, ...]}, ...]}
 *
 * A variable-length tail is {"name": "data", "offset": 104, "size": null, "type": "char[]"}.
 */
#include <linux/types.h>
#include <stddef.h>
#include <stdio.h>

#include "proclife.h"
#include "record/recording.h"

struct field {
	const char *name;
	size_t offset;
	size_t size; /* 0: the variable tail */
	const char *type;
};

struct record {
	const char *name;
	const char *group;
	size_t size;
	const struct field *fields;
	size_t nfields;
};

#define FIELD(s, f, off, size, type) { #f, offsetof(struct s, f), sizeof(((struct s *)0)->f), #type },
#define TAIL(s, f, off, type) { #f, offsetof(struct s, f), 0, #type },
#define FIELDS(s, size) static const struct field s##_fields[] = { PL_FIELDS_##s(FIELD, TAIL) };
PL_LAYOUT_KERNEL(FIELDS)
PL_LAYOUT_RECORDING(FIELDS)

#define RECORD(s, group) { #s, group, sizeof(struct s), s##_fields, sizeof(s##_fields) / sizeof(s##_fields[0]) },
#define KERNEL(s, size) RECORD(s, "kernel")
#define RECORDING(s, size) RECORD(s, "recording")
static const struct record records[] = { PL_LAYOUT_KERNEL(KERNEL) PL_LAYOUT_RECORDING(RECORDING) };

int main(void)
{
	size_t nrec = sizeof(records) / sizeof(records[0]);

	printf("{\"records\": [");
	for (size_t i = 0; i < nrec; i++) {
		const struct record *r = &records[i];

		printf("%s\n {\"name\": \"%s\", \"group\": \"%s\", \"size\": %zu, \"fields\": [", i ? "," : "", r->name,
		       r->group, r->size);
		for (size_t j = 0; j < r->nfields; j++) {
			const struct field *f = &r->fields[j];

			printf("%s\n  {\"name\": \"%s\", \"offset\": %zu, ", j ? "," : "", f->name, f->offset);
			if (f->size)
				printf("\"size\": %zu, ", f->size);
			else
				printf("\"size\": null, ");
			printf("\"type\": \"%s\"}", f->type);
		}
		printf("]}");
	}
	printf("]}\n");
	return ferror(stdout) ? 1 : 0;
}
