/* A stand-in for keepalived in Get-VrrpState's tests: answers --signum=JSON and --signum=DATA like keepalived, and
 * on those signals writes $FAKE_JSON to $TMPDIR/keepalived.json or $FAKE_DATA to $TMPDIR/keepalived.data. $TMPDIR/fake-keepalived.ready says its handlers are in place. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JSON_SIGNAL 36
#define DATA_SIGNAL 37

static volatile sig_atomic_t asked;

static void on_signal(int number) { asked = number; }

static void write_dump(const char *name, const char *variable)
{
    char path[4096];
    const char *text = getenv(variable);
    snprintf(path, sizeof path, "%s/%s", getenv("TMPDIR"), name);
    FILE *file = fopen(path, "w");
    if (file != NULL) {
        fputs(text != NULL ? text : "", file);
        fclose(file);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--signum=JSON") == 0) { puts("36"); return 0; }
    if (argc > 1 && strcmp(argv[1], "--signum=DATA") == 0) { puts("37"); return 0; }
    signal(JSON_SIGNAL, on_signal);
    signal(DATA_SIGNAL, on_signal);
    write_dump("fake-keepalived.ready", "FAKE_READY");
    for (;;) {
        pause();
        if (asked == JSON_SIGNAL) write_dump("keepalived.json", "FAKE_JSON");
        if (asked == DATA_SIGNAL) write_dump("keepalived.data", "FAKE_DATA");
        asked = 0;
    }
}
