/*
 * What a reviewer's decision on a violation may say (CONTRACT.md, "Review"):
 * dismissed takes no sanction, confirmed takes one of PP 94/2021's sanction
 * codes (DOMAIN.md, "Discipline"), and a note is free text of bounded size.
 * Pure: the handler reads the body, these say whether it holds together.
 */
#ifndef ATTENDANCE_RULES_REVIEW_H
#define ATTENDANCE_RULES_REVIEW_H

#include <stdbool.h>

#define REVIEW_NOTE_MAX_BYTES 2000

/* True for one of the sanction codes of DOMAIN.md (teguran_lisan ... pemberhentian): PP 94/2021's. */
bool sanction_code_known(const char *code);

/*
 * True for a sanction code of PP 53/2010 that PP 94/2021 has not
 * (penundaan_kgb_1_tahun, penundaan_pangkat_1_tahun, penurunan_pangkat_1_tahun,
 * penurunan_pangkat_3_tahun, pemindahan_penurunan_jabatan; sql/0032).
 */
bool sanction_code_of_pp53_only(const char *code);

/* True for a violation status: pending, dismissed or confirmed. */
bool violation_status_known(const char *status);

/*
 * Whether a violation's decision is one (CONTRACT.md, "Discipline as PP
 * 94/2021 runs it"): "dismissed" or "confirmed", with no sanction (NULL),
 * since a sanction is decided on a discipline case. NULL when it is, else the
 * problem, with *field the input at fault ("decision", or "sanction": 422
 * sanction_needs_case).
 */
const char *review_decision_problem(const char *decision, const char *sanction, const char **field);

/* A note: at most REVIEW_NOTE_MAX_BYTES, no control characters but line breaks and tabs. */
bool review_note_ok(const char *note);

#endif
