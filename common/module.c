/*
 * Loadable modules: common/module.h.
 */
#include "common/module.h"

#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

/* Tries dir/xenlaunch-NAME.so, then dir/../lib/xenlaunch/xenlaunch-NAME.so. */
static void *module_open(const char *name)
{
	static const char *const layouts[] = { "%s/xenlaunch-%s.so", "%s/../lib/xenlaunch/xenlaunch-%s.so" };
	const char *env = getenv("XENLAUNCH_MODULE_DIR");
	char exe[PATH_MAX], path[PATH_MAX];
	const char *dir;
	size_t n_layouts = 2;
	ssize_t n;
	void *h;

	if (env && env[0]) {
		dir = env;
		n_layouts = 1;
	} else if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		dir = dirname(exe);
	} else {
		log_warn("module %s: where is the executable? /proc/self/exe", name);
		return NULL;
	}
	for (size_t i = 0; i < n_layouts; i++) {
		int len = snprintf(path, sizeof(path), layouts[i], dir, name);

		if (len < 0 || (size_t)len >= sizeof(path) || access(path, F_OK) < 0)
			continue;
		h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!h)
			log_warnx("module %s: %s", name, dlerror());
		return h;
	}
	log_warnx("module %s: no xenlaunch-%s.so in %s%s", name, name, dir,
		  n_layouts > 1 ? " nor in ../lib/xenlaunch from there" : " ($XENLAUNCH_MODULE_DIR)");
	return NULL;
}

void *module_symbol(const char *name, const char *symbol)
{
	/* Handles by name, kept until exit: a few modules at most. */
	static struct { char name[32]; void *h; } loaded[8];
	void *h = NULL, *sym;
	size_t i;

	for (i = 0; i < sizeof(loaded) / sizeof(loaded[0]) && loaded[i].h; i++)
		if (strcmp(loaded[i].name, name) == 0) {
			h = loaded[i].h;
			break;
		}
	if (!h) {
		if (i == sizeof(loaded) / sizeof(loaded[0]) || strlen(name) >= sizeof(loaded[i].name)) {
			log_warnx("module %s: too many modules, or too long a name", name);
			return NULL;
		}
		h = module_open(name);
		if (!h)
			return NULL;
		snprintf(loaded[i].name, sizeof(loaded[i].name), "%s", name);
		loaded[i].h = h;
	}
	dlerror();
	sym = dlsym(h, symbol);
	if (!sym)
		log_warnx("module %s: no %s in it (a module of another build?)", name, symbol);
	return sym;
}
