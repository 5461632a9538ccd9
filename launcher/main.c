/* Placeholder until the xenpv launcher lands: says so instead of pretending. */
#include "common/log.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	log_init("xenlaunch");
	log_warnx("not built yet: the xenpv launcher is work in progress");
	return 2;
}
