/*
 * Fixture of tests/unit/test_elfcmp.c: an update.  V2 imports system(),
 * compares the input with a new constant, changes check() and adds audit().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) int check(const char *s)
{
#ifdef V2
	return strlen(s) > 12;
#else
	return strlen(s) > 8;
#endif
}

__attribute__((noinline)) int route(const char *cmd)
{
	if (!strcmp(cmd, "status"))
		return puts("ok");
#ifdef V2
	if (!strcmp(cmd, "letmein"))
		return system("/bin/sh");
#endif
	return puts("unknown");
}

#ifdef V2
__attribute__((noinline)) void audit(const char *s)
{
	puts("audit");
	puts(s);
}
#endif

__attribute__((noinline)) int stable(int x)
{
	return x * 7 - 3;
}

int main(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : "status";
#ifdef V2
	audit(a);
#endif
	return route(a) + check(a) + stable(argc);
}
