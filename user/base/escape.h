/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Making hostile bytes safe to print.
 *
 * Everything proclife prints about a process (comm, filename, argv) is
 * chosen by whoever started that process: arbitrary bytes, NULs, invalid
 * UTF-8, and terminal escape sequences that could retitle, clear or
 * reprogram the terminal of the person watching. These functions are the
 * only way such bytes reach an outbuf.
 *
 * UTF-8 is decoded strictly (Unicode table 3-7): a byte that does not start
 * a complete, shortest-form sequence of a scalar value (bad lead byte, bad
 * or missing continuation, overlong form, surrogate U+D800..U+DFFF, above
 * U+10FFFF) is invalid on its own, and decoding resumes at the next byte.
 *
 * C1 controls U+0080..U+009F are valid UTF-8 but are CSI, OSC, ... on some
 * terminals, so they are escaped too; so are invisible characters (bidi
 * controls such as U+202E, zero-width spaces and joiners, U+FEFF, ...:
 * escape__is_invisible()), which make a text read differently from what it
 * is. Both are written \uXXXX (\UXXXXXXXX above U+FFFF), in text as in
 * JSON (where a character above U+FFFF is its surrogate pair, \uXXXX\uXXXX).
 */
#ifndef PROCLIFE_ESCAPE_H
#define PROCLIFE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/outbuf.h"

/*
 * Terminal-safe text. Printable UTF-8 is copied; '\' -> \\; newline, tab,
 * CR -> \n \t \r; other bytes < 0x20, 0x7f and each invalid byte -> \xNN;
 * C1 controls -> \u0080..\u009f; invisible characters -> \u202e,
 * \U000e0041. The output never contains a byte < 0x20, 0x7f, a C1 control,
 * an invisible character or invalid UTF-8.
 */
void escape__text(struct outbuf *ob, const char *s, size_t len);

/*
 * One argv element of a human-readable command line. Printed bare when it
 * is non-empty and only made of ASCII letters, digits, _-./:=@%+,^~ and
 * printable non-ASCII UTF-8; otherwise in double quotes, with '"' as \" and
 * everything else as escape__text() does. Meant for reading, not for
 * pasting into a shell ($ and ` are not escaped inside the quotes).
 */
void escape__text_arg(struct outbuf *ob, const char *s, size_t len);

/*
 * A complete JSON string, quotes included (views/json.h writes every JSON
 * value; this is its escaper). Valid UTF-8 is copied; '"' and
 * '\' escaped; \b \f \n \r \t; other bytes < 0x20 and 0x7f -> \u00XX; C1
 * controls -> \u0080..\u009f; invisible characters -> \u202e, or a
 * surrogate pair (\udb40\udc41); each invalid byte -> U+FFFD (EF BF BD). The
 * output is valid UTF-8 and valid JSON for any input, and shows no
 * character raw that escape__text() would escape.
 */
void escape__json_string(struct outbuf *ob, const char *s, size_t len);

/*
 * A task's comm: PL_COMM_LEN bytes, NUL-terminated only when shorter (the
 * kernel's may fill them all), so it is never read past them.
 */
void escape__comm_text(struct outbuf *ob, const char *comm);

/*
 * An argument area (NUL-separated strings; the last one lacks its NUL when
 * cut) as one command line: escape__text_arg() each, space-separated. With
 * max > 0, stops once about max bytes were written and returns true if it
 * left arguments out.
 */
bool escape__argv_text(struct outbuf *ob, const char *args, size_t len, size_t max);

/*
 * escape__text() into buf (size bytes, NUL included), for a message
 * (base/msg.h) about something a process or a file said: cut, when it does
 * not fit, before the escape or character that would not, so what is left
 * is whole. Returns buf.
 */
char *escape__text_str(char *buf, size_t size, const char *s, size_t len);

/*
 * Is code point cp invisible (escaped although valid): Unicode's
 * Default_Ignorable_Code_Point set, U+2028, U+2029 and U+FFF9..U+FFFB?
 * (top draws with it too, for what it did not escape itself.)
 */
bool escape__is_invisible(uint32_t cp);

/* Strict UTF-8 validation, same definition as above. NUL is valid (U+0000). */
bool escape__is_valid_utf8(const char *s, size_t len);

#endif /* PROCLIFE_ESCAPE_H */
