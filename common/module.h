/*
 * Loadable modules, in QEMU's manner: code that needs libraries only some
 * guests use (the display's libvncserver, SDL2, libvterm) is built as a
 * shared object, xenlaunch-NAME.so, and loaded (dlopen) on first use, so
 * that a process that does not use it never maps those libraries.
 *
 * A module resolves what it uses of the launcher against the launcher's
 * own symbols (the launcher is linked with -rdynamic) and exports only
 * what is marked MODULE_EXPORT: its descriptor, a table of operations the
 * launcher looks up by name. Modules are searched for in
 * $XENLAUNCH_MODULE_DIR when set (QEMU's QEMU_MODULE_DIR), else beside the
 * executable (a build tree) and in ../lib/xenlaunch from it (an
 * installation). They are loaded with every symbol bound at once
 * (RTLD_NOW), so that a module built for another launcher fails to load
 * with a message, not later in the middle of a call, and never unloaded:
 * their libraries start threads and register handlers that outlive any
 * call into them.
 */
#ifndef COMMON_MODULE_H
#define COMMON_MODULE_H

#define MODULE_EXPORT __attribute__((visibility("default")))

/*
 * The symbol named symbol of module name ("display-vnc": the file
 * xenlaunch-display-vnc.so), loading the module on first use. NULL when it
 * cannot be found or loaded or lacks the symbol; the reason is logged
 * ("module display-vnc: ...").
 */
void *module_symbol(const char *name, const char *symbol);

#endif
