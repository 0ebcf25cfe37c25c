# trustbuild: a CA-bundle manager and trust-store builder.
#
#   make            build ./trustbuild
#   make run        install missing dependencies (as root), build, and run
#                   the main job on the built-in default configuration
#   make check      unit and end-to-end tests
#   make check-asan the same under ASan, UBSan and LSan
#   make check-tsan the threaded commands under ThreadSanitizer
#   make fuzz       libFuzzer on every parser (FUZZ_TIME=600 s each)
#   make bench      compare with openssl rehash, and probes at once with
#                   one by one (figures, not a test)
#   make fleet-sim  200 hosts updating from one signed store (figures)
#   make install    PREFIX=/usr/local DESTDIR= (the binary, man pages, stores/,
#                   SYSCONFDIR/cron.d/trustbuild and the systemd units in
#                   UNITDIR; enables nothing)

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/trustbuild
SYSCONFDIR ?= /etc
UNITDIR	?= $(PREFIX)/lib/systemd/system

PKGS	 = openssl libcurl libarchive
CC	?= cc
CFLAGS	?= -O2 -g
WARN	 = -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl and libarchive are dlopen()ed at first use (src/dl.c): their
# headers are needed, their libraries only when a run fetches or unpacks.
OPENSSL_LIBS := $(shell pkg-config --libs openssl 2>/dev/null)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(PKG_CFLAGS) -D_GNU_SOURCE \
	     -DTRUSTBUILD_DATADIR='"$(DATADIR)"'
LIBS	 = $(OPENSSL_LIBS) -ldl -lpthread

# Everything but main.c is shared with the unit tests.
OBJS	 = $(patsubst %.c,%.o,$(filter-out src/main.c,$(sort $(wildcard src/*.c))))
MAIN	 = src/main.o
UNIT	 = tests/unit/run_unit

all: trustbuild

trustbuild: $(OBJS) $(MAIN) | deps-check
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(MAIN) $(LIBS)

src/%.o: src/%.c src/*.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Fail early, with the fix, when a -dev package is missing.
deps-check:
	@pkg-config --exists $(PKGS) || { \
	  echo "trustbuild: missing build dependencies ($(PKGS) -dev packages);" \
	       "run 'sh scripts/deps.sh' as root" >&2; exit 1; }

# As root, install what is missing first; otherwise just say what is missing.
deps:
	@if ! sh scripts/deps.sh --check; then \
	  if [ "$$(id -u)" = 0 ]; then sh scripts/deps.sh; \
	  else echo "trustbuild: run 'sh scripts/deps.sh' as root" >&2; exit 1; fi; \
	fi

$(UNIT): $(OBJS) tests/unit/*.c tests/unit/*.h
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ tests/unit/*.c $(OBJS) $(LIBS)

# the other user of e2e/trust_files.sh, swapping names for links
RACER	 = tests/harness/racer
$(RACER): tests/harness/racer.c
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -o $@ tests/harness/racer.c

check: deps
	$(MAKE) trustbuild $(UNIT) $(RACER)
	sh tests/run.sh

run: deps
	$(MAKE) trustbuild
	sh scripts/run.sh

# 200 hosts updating from one nginx: requests, bytes and time per round
fleet-sim: deps
	$(MAKE) trustbuild
	sh scripts/fleet-sim.sh

bench: deps
	$(MAKE) trustbuild
	sh scripts/bench.sh
	sh scripts/bench_probe.sh

# The whole suite under AddressSanitizer, UndefinedBehaviorSanitizer and
# LeakSanitizer; any report fails the run.  Two kinds of report are a
# process the crash tests killed with SIGKILL, not a finding: an empty
# file (killed as it opened one) and a file whose every line is LSan's
# "Unable to get registers from thread N." (killed while LeakSanitizer
# stopped its threads at exit to scan them; any finding adds lines).
ASAN_DIR = build-asan
SAN	 = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer
check-asan: deps
	$(MAKE) deps-check $(RACER)
	mkdir -p $(ASAN_DIR)
	rm -f $(ASAN_DIR)/report.*
	$(CC) -std=gnu11 $(WARN) $(SAN) $(PKG_CFLAGS) -D_GNU_SOURCE \
	    -o $(ASAN_DIR)/trustbuild src/*.c $(LIBS)
	$(CC) -std=gnu11 $(SAN) $(PKG_CFLAGS) -D_GNU_SOURCE -Isrc \
	    -o $(ASAN_DIR)/run_unit tests/unit/*.c $(OBJS:.o=.c) $(LIBS)
	ASAN_OPTIONS=exitcode=99:detect_leaks=1:log_path=$(CURDIR)/$(ASAN_DIR)/report \
	UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1:log_path=$(CURDIR)/$(ASAN_DIR)/report \
	TB=$(CURDIR)/$(ASAN_DIR)/trustbuild UNIT=$(CURDIR)/$(ASAN_DIR)/run_unit \
	    sh tests/run.sh
	@r=$$(for f in $$(find $(ASAN_DIR) -maxdepth 1 -name 'report.*' \
	    -size +0c); do grep -qv \
	    '^==[0-9]*==Unable to get registers from thread [0-9]*\.$$' \
	    "$$f" && echo "$$f"; done); \
	if [ -n "$$r" ]; then \
	  cat $$r; echo "check-asan: sanitizer reports above" >&2; exit 1; fi

# the threaded paths (pool.c) under ThreadSanitizer, on the corpus
TSAN_DIR = build-tsan
check-tsan: deps
	$(MAKE) deps-check
	mkdir -p $(TSAN_DIR)
	$(CC) -std=gnu11 $(WARN) -O1 -g -fsanitize=thread $(PKG_CFLAGS) \
	    -D_GNU_SOURCE -o $(TSAN_DIR)/trustbuild src/*.c $(LIBS)
	sh tests/tsan.sh $(CURDIR)/$(TSAN_DIR)/trustbuild

# libFuzzer targets of every parser (clang), FUZZ_TIME seconds each;
# "make check" runs their seeds and saved crashes through gcc builds
FUZZ_TIME ?= 600
fuzz: deps-check
	sh tests/fuzz/run.sh fuzz $(FUZZ_TIME) $(FUZZ_TARGETS)

install: trustbuild
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(DATADIR)/stores
	install -m 755 trustbuild $(DESTDIR)$(BINDIR)/trustbuild
	install -m 644 man/trustbuild.1 $(DESTDIR)$(MANDIR)/man1/trustbuild.1
	install -m 644 man/trustbuild.conf.5 $(DESTDIR)$(MANDIR)/man5/trustbuild.conf.5
	for f in stores/*; do [ -f "$$f" ] && install -m 644 "$$f" $(DESTDIR)$(DATADIR)/stores/; done; true
	@# the daily run, calling the binary where it was installed
	install -d $(DESTDIR)$(SYSCONFDIR)/cron.d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/bin/trustbuild|$(BINDIR)/trustbuild|' scripts/trustbuild.cron \
	    >$(DESTDIR)$(SYSCONFDIR)/cron.d/trustbuild
	chmod 644 $(DESTDIR)$(SYSCONFDIR)/cron.d/trustbuild
	for f in trustbuild.service trustbuild.timer; do \
	    sed 's|/usr/local/bin/trustbuild|$(BINDIR)/trustbuild|' scripts/$$f \
	        >$(DESTDIR)$(UNITDIR)/$$f && chmod 644 $(DESTDIR)$(UNITDIR)/$$f || exit 1; done

lint-man:
	mandoc -Tlint -W warning man/trustbuild.1 man/trustbuild.conf.5

clean:
	rm -f trustbuild $(OBJS) $(MAIN) $(UNIT) $(RACER)
	rm -rf $(ASAN_DIR) $(TSAN_DIR) .bench build-fuzz

.PHONY: all check check-asan check-tsan run bench fleet-sim fuzz install clean deps deps-check lint-man
