/* libhello.a for the `hello` test component; the test compiles it (HELLO_OFFSET varies it). */
#ifndef HELLO_OFFSET
#define HELLO_OFFSET 0
#endif

const char *hello_greeting(void) { return "hello"; }

int hello_answer(int factor) { return 2 * factor + HELLO_OFFSET; }
