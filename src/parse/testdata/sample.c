#include <stdio.h>
#include <stdlib.h>

#define MAX_ITEMS 128
#define SQUARE(x) ((x) * (x))

struct buffer {
    char *data;
    size_t length;
    size_t capacity;
};

typedef struct buffer buffer_t;

enum color { RED, GREEN, BLUE, NUMBER_OF_COLORS_IN_THIS_ENUM };

static int buffer_append(struct buffer *buf, const char *text, size_t length) {
    if (buf->length + length > buf->capacity) {
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    printf("%d\n", SQUARE(argc));
    return 0;
}
