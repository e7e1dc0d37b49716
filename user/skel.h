/* SPDX-License-Identifier: MIT */
/*
 * The embedded BPF object. The test binary (lo6relay-test, never installed)
 * embeds one built with LO6_TEST_SWITCHES, whose programs honour the
 * tests' switches; the installed lo6relay embeds one without them.
 */
#ifndef LO6RELAY_SKEL_H
#define LO6RELAY_SKEL_H

#ifdef LO6_TEST_SWITCHES
#include "lo6relay_test.skel.h"
#else
#include "lo6relay.skel.h"
#endif

#endif
