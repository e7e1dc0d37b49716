/* SPDX-License-Identifier: MIT */
/*
 * What an instance's pin folder holds, and whether this binary may use it:
 * the maps of another lo6relay ABI are refused, not reused, since the
 * programs and the CLI would read each other's values wrong.
 */
#ifndef LO6RELAY_PINS_H
#define LO6RELAY_PINS_H

#include <stddef.h>

struct bpf_object;

/* The names of the maps an instance pins, all of them. */
extern const char *const map_pins[];
extern const size_t nmap_pins;

/* Whether DIR holds a pin named NAME. */
int pin_exists(const char *dir, const char *name);
void unpin(const char *dir, const char *name);

/*
 * 0 if DIR has no config map, or one written by this ABI (or not written
 * yet: a start killed before its last step). Otherwise says, in one
 * sentence, which version made the instance and how to replace it, and
 * returns -1. Commands that write the maps call this first.
 */
int pins_abi_check(const char *dir);

/*
 * 0 if every map of OBJ (opened, not loaded) that DIR already holds a pin
 * for has the same type, key, value, size and flags: libbpf would refuse it
 * otherwise, with a line of its own. -1 after our sentence.
 */
int pins_layout_check(const char *dir, struct bpf_object *obj);

#endif
