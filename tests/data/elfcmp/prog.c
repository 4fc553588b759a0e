/*
 * Fixture of tests/unit/test_elfcmp.c: one program built in variants.
 * ADD changes one instruction of compute(); GREETING one byte of a string.
 */
#include <stdio.h>
#include <stdlib.h>

#ifndef ADD
#define ADD 1
#endif
#ifndef GREETING
#define GREETING "hello, world"
#endif

static const char stamp[] = "built " __DATE__ " " __TIME__;

__attribute__((noinline)) int compute(int x)
{
	return x * 3 + ADD;
}

__attribute__((noinline)) static void greet(const char *who)
{
	printf("%s %s\n", GREETING, who);
}

int main(int argc, char **argv)
{
	greet(argc > 1 ? argv[1] : "nobody");
	puts(stamp);
	return compute(atoi(argc > 2 ? argv[2] : "0"));
}
