/*
 * The launcher's command line (launcher/options.c, nic_opts.c,
 * display_opts.c, common/qemu_opts.c), as xvirsh builds it from an XML
 * author's values or a user types it: the input is split at NUL bytes into
 * argv words. Parsing opens the -kernel, -initrd and disk files it names; so
 * that it opens nothing but its own, it runs in a directory of its own
 * holding a kernel "k", a raw disk "d" and a qcow2 image "q" (and goes back
 * after each input, for libFuzzer's relative paths), and inputs with a '/'
 * in a word are skipped. Whatever the verdict, the configuration must be
 * released without a leak; a configuration accepted must hold what
 * options.h promises.
 */
#include "tests/fuzz/fuzz.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "launcher/options.h"

#define MAX_WORDS 64

static int home_fd = -1, work_fd = -1;

static void make_file(const char *name, const void *head, size_t len, off_t size)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, head, len) == (ssize_t)len);
	FUZZ_CHECK(ftruncate(fd, size) == 0);
	close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/xenlaunch-fuzz-argv-XXXXXX";

	(void)argc;
	(void)argv;
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	home_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	work_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(home_fd >= 0 && work_fd >= 0 && fchdir(work_fd) == 0);
	make_file("k", "vmlinuz", 7, 4096);
	make_file("d", "", 0, 1 << 20);
	make_file("q", "QFI\xfb\0\0\0\3", 8, 4096);
	FUZZ_CHECK(fchdir(home_fd) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	char *text, *argv[MAX_WORDS + 2];
	struct launch_config cfg;
	enum options_result res;
	int argc = 0;

	fuzz_quiet_log();
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (memchr(data, '/', size))
		return 0;
	text = malloc(size + 1);
	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	argv[argc++] = "xenlaunch";
	for (char *p = text; p < text + size && argc <= MAX_WORDS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	launch_config_init(&cfg);
	FUZZ_CHECK(fchdir(work_fd) == 0);
	res = options_parse(argc, argv, &cfg, devnull, devnull);
	FUZZ_CHECK(fchdir(home_fd) == 0);
	FUZZ_CHECK(res == OPTIONS_RUN || res == OPTIONS_EXIT || res == OPTIONS_ERROR);
	if (res == OPTIONS_RUN) {
		FUZZ_CHECK(cfg.name && *cfg.name);
		FUZZ_CHECK(cfg.vcpus >= 1 && cfg.memory_mib >= 1);
		FUZZ_CHECK(cfg.n_disks <= LAUNCH_MAX_DISKS && cfg.n_nics <= LAUNCH_MAX_NICS);
		for (unsigned i = 0; i < cfg.n_disks; i++) {
			FUZZ_CHECK(cfg.disks[i].file && cfg.disks[i].index < LAUNCH_MAX_DISKS);
			for (unsigned j = 0; j < i; j++)
				FUZZ_CHECK(cfg.disks[i].index != cfg.disks[j].index);
		}
		for (unsigned i = 0; i < cfg.n_nics; i++)
			FUZZ_CHECK(!(cfg.nics[i].mac[0] & 1));
	}
	launch_config_dispose(&cfg);
	free(text);
	return 0;
}
