# rblsmtpd2 suite. Plain make; honours CC CFLAGS CPPFLAGS LDFLAGS PREFIX DESTDIR.
#
# Layout: top-level *.c are the programs (main last, logic elsewhere);
# src/*.c are the modules, src/*_test.c their unit tests; tests/*.t are the
# program-level suites (TAP); fuzz/fuzz_*.c are libFuzzer harnesses.
# Everything built goes under $(O) (default build/), so `make O=build/asan`
# gives a second, sanitized tree beside the normal one.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
O       ?= build
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2
# tinycdb first on both paths: see tools/deps for why.
TINYCDB  = build/tinycdb
CPPFLAGS_ALL = -I$(TINYCDB)/include -Isrc -D_GNU_SOURCE $(CPPFLAGS)
# TLS (libtls over OpenSSL) linked statically, by the archives' paths (so it
# works in a -static link and in a dynamic one): dynamic libssl/libcrypto cost
# ~1.3 ms of relocations per exec even for a session that stays plaintext.
# Archives add only what a program calls: rblsmtpd2 and the others get none.
TLSA     = $(shell $(CC) -print-file-name=$(1))
TLSLIBS ?= $(call TLSA,libtls.a) $(call TLSA,libssl.a) $(call TLSA,libcrypto.a) -lpthread
LIBS     = $(TINYCDB)/lib/libcdb.a -lowfat $(TLSLIBS)

PROGS    = $(basename $(wildcard *.c))
MODULES  = $(filter-out %_test.c,$(wildcard src/*.c))
UNITS    = $(patsubst src/%.c,$(O)/test/%,$(wildcard src/*_test.c))
MODOBJS  = $(patsubst src/%.c,$(O)/obj/%.o,$(MODULES))
HEADERS  = $(wildcard src/*.h)
FUZZERS  = $(patsubst fuzz/%.c,build/fuzz/%,$(wildcard fuzz/fuzz_*.c))
MAN8     = $(wildcard man/*.8)
MAN5     = $(wildcard man/*.5)

ASAN_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

all: $(TINYCDB)/lib/libcdb.a $(addprefix $(O)/,$(PROGS))

$(TINYCDB)/lib/libcdb.a $(TINYCDB)/include/cdb.h &:
	./tools/deps build

$(O)/obj/%.o: src/%.c $(HEADERS) $(TINYCDB)/include/cdb.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) $(WARN) -c -o $@ $<

$(O)/obj/main_%.o: %.c $(HEADERS) $(TINYCDB)/include/cdb.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) $(WARN) -c -o $@ $<

$(O)/libsuite.a: $(MODOBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $(MODOBJS)

$(O)/%: $(O)/obj/main_%.o $(O)/libsuite.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(PROG_LDFLAGS) -o $@ $< $(O)/libsuite.a $(LIBS)

# rcptfilter starts once per connection: linked statically it needs no ld.so
# and no relocations (a short session: 62k instructions instead of 212k,
# bench/RESULTS.md). The sanitizer builds cannot link statically: STATIC=.
STATIC ?= -static
$(O)/rcptfilter: PROG_LDFLAGS = $(STATIC)

$(O)/test/%_test: $(O)/obj/%_test.o $(O)/libsuite.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libsuite.a $(LIBS)

units: $(UNITS)

# The sanitized tree: same sources, same tests, ASan + UBSan.
asan:
	$(MAKE) O=build/asan CC=clang CFLAGS="$(ASAN_CFLAGS)" STATIC= all units

# libFuzzer harnesses, each linked with every module (clang only).
fuzz: $(FUZZERS)
build/fuzz/obj/%.o: src/%.c $(HEADERS) $(TINYCDB)/include/cdb.h
	@mkdir -p $(@D)
	clang $(CPPFLAGS_ALL) -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -c -o $@ $<
build/fuzz/%: fuzz/%.c $(patsubst src/%.c,build/fuzz/obj/%.o,$(MODULES))
	@mkdir -p $(@D)
	clang $(CPPFLAGS_ALL) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -o $@ $< \
	  $(patsubst src/%.c,build/fuzz/obj/%.o,$(MODULES)) $(LIBS)

# the long runs that stay out of make test: every libFuzzer harness for
# FUZZ_SECONDS (600) with its corpus merged back into fuzz/corpus, then
# AFL++ on the whole rcptfilter (stdin = the client, fuzz/stubsmtp the server)
FUZZ_SECONDS ?= 600
fuzz-long: fuzz afl
	./fuzz/campaign $(FUZZ_SECONDS)
	./fuzz/afl-rcptfilter $(FUZZ_SECONDS)

# UBSan only: ASan's shadow makes every fork of rcptfilter ~10x dearer, and
# the libFuzzer proxy harness already runs the state machine under ASan
AFL_CFLAGS = -O2 -g -fsanitize=undefined -fno-sanitize-recover=undefined
afl:
	./tools/deps fuzz
	$(MAKE) O=build/afl CC=afl-clang-fast CFLAGS="$(AFL_CFLAGS)" STATIC= all
	$(CC) -O2 -o build/afl/stubsmtp fuzz/stubsmtp.c

deps:
	./tools/deps build

test-deps:
	./tools/deps test

# make test: deps, normal build, sanitized build, fuzzers (one compiler per
# core: three independent trees), then every suite.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
test: test-deps
	$(MAKE) -j$(JOBS) all units asan fuzz
	./tests/run

check: test

# the load test at full size: 200 concurrent sessions, 20,000 messages
# (the normal build only: 200 ASan sessions at once is a load test of ASan)
stress: test-deps
	$(MAKE) all
	VARIANTS=build STRESS_SESSIONS=200 STRESS_MESSAGES=100 SUITE_TIMEOUT=1800 ./tests/run stress.t

bench: 
	./tools/deps bench
	$(MAKE) all
	./bench/run

demo:
	./tools/deps demo
	$(MAKE) all
	./examples/demo/demo start

demo-stop:
	./examples/demo/demo stop

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	for p in $(PROGS); do cp $(O)/$$p $(DESTDIR)$(BINDIR)/$$p.new && chmod 755 $(DESTDIR)$(BINDIR)/$$p.new && mv -f $(DESTDIR)$(BINDIR)/$$p.new $(DESTDIR)$(BINDIR)/$$p; done
	for m in $(MAN8); do cp $$m $(DESTDIR)$(MANDIR)/man8/ && chmod 644 $(DESTDIR)$(MANDIR)/man8/$${m##*/}; done
	for m in $(MAN5); do cp $$m $(DESTDIR)$(MANDIR)/man5/ && chmod 644 $(DESTDIR)$(MANDIR)/man5/$${m##*/}; done

uninstall:
	for p in $(PROGS); do rm -f $(DESTDIR)$(BINDIR)/$$p; done
	for m in $(MAN8); do rm -f $(DESTDIR)$(MANDIR)/man8/$${m##*/}; done
	for m in $(MAN5); do rm -f $(DESTDIR)$(MANDIR)/man5/$${m##*/}; done

clean:
	rm -rf $(O)/obj $(O)/test $(O)/libsuite.a $(addprefix $(O)/,$(PROGS)) build/asan build/fuzz build/afl

.PHONY: all units asan fuzz fuzz-long afl deps test-deps test check stress bench demo demo-stop install uninstall clean
.SECONDARY:
