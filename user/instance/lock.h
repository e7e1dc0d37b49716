/* SPDX-License-Identifier: MIT */
/*
 * One command at a time per pin folder: every command that changes the
 * instance (start, stop, allow, deny, default, reload, save) holds an
 * exclusive flock on the pin folder itself while it runs. Without it two
 * starts at boot (the systemd unit and wsl.conf's command) can both decide
 * they are first, and one's clean-up unpins the other's maps; and a start
 * and a `default` each write back a config the other has just changed.
 * The pin folder's owner takes it (pins.h: pins_enter, pins_make).
 */
#ifndef LO6RELAY_LOCK_H
#define LO6RELAY_LOCK_H

/*
 * Locks the pin folder DIR; the lock lasts until the process exits. With
 * CREATED, makes the folder first (bpffs_prepare: mounting bpffs if need
 * be) and *CREATED tells whether this call made it. Returns the lock's fd;
 * -2 if DIR does not exist and CREATED is NULL (nothing to lock: there is
 * no instance); -1 after one sentence on stderr.
 */
int pin_lock(const char *dir, int *created);

#endif
