/*
 * Database ids travel as decimal strings in JSON and paths ("Ids are strings").
 */
#ifndef COMMON_IDS_H
#define COMMON_IDS_H

/* A positive id written in decimal without sign or leading zero, at most 18 digits; 0 otherwise. */
long long id_parse(const char *text);

/* A NIP (Nomor Induk Pegawai): exactly 18 digits. */
#include <stdbool.h>
bool nip_valid(const char *text);

#endif
