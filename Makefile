# privaudit: audit privileged accounts and credential hygiene in Active
# Directory. `make demo` and `make check` work on a fresh Debian 12 machine:
# both install what is missing first (tools/install-deps).

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share/privaudit

CC ?= cc
PKGS = ldap krb5 xlsxwriter jansson
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla -Werror
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong
OPT ?= -O2 -g
CFLAGS_ALL = -std=c17 -D_GNU_SOURCE -pthread $(OPT) $(WARN) $(HARDEN) -MMD -MP \
	     -DPRIVAUDIT_VERSION='"$(VERSION)"' \
	     $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS_ALL = -pthread -Wl,-z,relro,-z,now $(LDFLAGS) $(EXTRA_LDFLAGS)
# libldap, libkrb5 and libxlsxwriter are loaded when a run needs them (auditor/dynlib.h)
LIBS = $(shell pkg-config --libs jansson 2>/dev/null) -lm -ldl

BUILD ?= build
LIB_SRC = $(filter-out auditor/main.c,$(wildcard auditor/*.c)) \
	  $(wildcard checks/*.c) $(wildcard reports/*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC = $(wildcard tests/*.c tests/auditor/*.c tests/checks/*.c tests/reports/*.c)
TEST_OBJ = $(TEST_SRC:%.c=$(BUILD)/%.o)

ifeq ($(V),1)
Q =
else
Q = @
endif

.PHONY: all deps deps-test demo check unit integration live asan fuzz bench bench-live install uninstall fmt clean
.PHONY: docs docs-check po mo deps-i18n

MANDIR = $(PREFIX)/share/man
LOCALEDIR = $(PREFIX)/share/locale
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
LINGUAS = ja
MO = $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/privaudit.mo)

all: $(BUILD)/privaudit

deps:
	$(Q)tools/install-deps

deps-test: deps
	$(Q)tools/install-deps-test
	$(Q)tools/install-deps-xlsx

# The sonames of the libraries whose headers the program is built with,
# for auditor/dynlib.c to load (it has Debian 12's when one is not found).
soname = $(shell objdump -p "$$(readlink -f "$$($(CC) -print-file-name=lib$(1).so)")" \
	   2>/dev/null | awk '$$1 == "SONAME" { print $$2 }')
soname_def = $(if $(call soname,$(1)),-DDYNLIB_$(2)_SONAME='"$(call soname,$(1))"')
$(BUILD)/auditor/dynlib.o: CFLAGS_ALL += $(call soname_def,ldap,LDAP) \
	$(call soname_def,lber,LBER) $(call soname_def,krb5,KRB5) \
	$(call soname_def,xlsxwriter,XLSX)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/libprivaudit.a: $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/privaudit: $(BUILD)/auditor/main.o $(BUILD)/libprivaudit.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(BUILD)/test-unit: $(TEST_OBJ) $(BUILD)/libprivaudit.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(LIBS) -lcriterion

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tools/demo $(BUILD)/privaudit

check: deps-test
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/test-unit
	$(Q)$(MAKE) --no-print-directory unit integration live docs-check asan

unit: $(BUILD)/test-unit
	$(Q)cd tests && ../$(BUILD)/test-unit --jobs 2

integration: $(BUILD)/privaudit
	$(Q)tests/integration/run $(BUILD)/privaudit
	$(Q)tests/integration/diff-run $(BUILD)/privaudit
	$(Q)tests/hostile/run $(BUILD)/privaudit
	$(Q)tests/integration/signals $(BUILD)/privaudit

# Against a real Samba AD DC on loopback (root: it maps the DC's name in
# /etc/hosts): the ldapsearch oracle, then privaudit's own LDAP source.
live: $(BUILD)/privaudit
	$(Q)tests/samba/all $(BUILD)/privaudit

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan \
		OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" build-asan/privaudit build-asan/test-unit
	$(Q)cd tests && ASAN_OPTIONS=detect_leaks=1 ../build-asan/test-unit --jobs 2
	$(Q)ASAN_OPTIONS=detect_leaks=1 tests/integration/run build-asan/privaudit
	$(Q)ASAN_OPTIONS=detect_leaks=1 tests/integration/diff-run build-asan/privaudit
	$(Q)ASAN_OPTIONS=detect_leaks=1 tests/hostile/run build-asan/privaudit

# libFuzzer targets (clang), each run for FUZZ_SECONDS on its seed corpus;
# crashes land in build-fuzz/ and become regression tests.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = ldif policy csv report
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -std=c17 \
	     -D_GNU_SOURCE -DPRIVAUDIT_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC)
	@mkdir -p build-fuzz
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_FLAGS) -o $@ $< $(LIB_SRC) $(LIBS)

fuzz: $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p build-fuzz/corpus-$$t && \
		build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=build-fuzz/$$t- build-fuzz/corpus-$$t tests/fuzz/corpus/$$t \
			2>build-fuzz/$$t.log || { tail -40 build-fuzz/$$t.log; exit 1; }; \
		echo "fuzz $$t: $$(grep -o 'stat::number_of_executed_units: [0-9]*' build-fuzz/$$t.log || tail -1 build-fuzz/$$t.log)"; \
	done

# offline, adversarial shapes and live (root), in one table (tools/bench-all)
bench: all
	$(Q)tools/bench-all $(BUILD)/privaudit

# live collection against Samba DCs of 10,000 and 100,000 accounts (root)
bench-live: all
	$(Q)tools/bench-live $(BUILD)/privaudit

install: all mo
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)
	install -m 0755 $(BUILD)/privaudit $(DESTDIR)$(BINDIR)/privaudit
	install -m 0644 etc/policy.json etc/sample-directory.ldif $(DESTDIR)$(DATADIR)/
	install -d $(DESTDIR)$(DATADIR)/policies $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 etc/policies/*.json etc/policies/README.md $(DESTDIR)$(DATADIR)/policies/
	install -m 0644 docs/privaudit.1 $(DESTDIR)$(MANDIR)/man1/privaudit.1
	install -m 0644 docs/privaudit-policy.5 $(DESTDIR)$(MANDIR)/man5/privaudit-policy.5
	install -m 0644 completion/privaudit.bash $(DESTDIR)$(BASHCOMPDIR)/privaudit
	for l in $(LINGUAS); do \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/privaudit.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/privaudit.mo || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/privaudit
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/privaudit.1 $(DESTDIR)$(MANDIR)/man5/privaudit-policy.5
	rm -f $(DESTDIR)$(BASHCOMPDIR)/privaudit
	for l in $(LINGUAS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/privaudit.mo; done

# Translations: `make po` refreshes po/privaudit.pot and merges it into
# po/*.po (after a change to a translated string or to the checks); `make
# mo` compiles the catalogues into $(BUILD)/locale, where an uninstalled
# $(BUILD)/privaudit finds them (--lang ja, LANG=ja_JP.UTF-8).
po: $(BUILD)/privaudit
	$(Q)tools/update-po $(BUILD)/privaudit

mo: $(MO)

$(BUILD)/locale/%/LC_MESSAGES/privaudit.mo: po/%.po
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MSGFMT  $<")
	$(Q)command -v msgfmt >/dev/null || tools/install-deps-i18n --gettext
	$(Q)msgfmt --check -o $@ $<

# The ja_JP.UTF-8 locale (optional: --lang ja works without it)
deps-i18n:
	$(Q)tools/install-deps-i18n

# docs/checks.md from the registry, the demo workbook as a picture
# (LibreOffice headless, pdftoppm); docs-check fails when a document has
# drifted from the code (tests/docs/run).
docs: $(BUILD)/privaudit
	$(Q)tools/gen-checks-md $(BUILD)/privaudit >docs/checks.md.tmp && mv docs/checks.md.tmp docs/checks.md
	$(Q)tools/render-workbook $(BUILD)/privaudit docs/workbook.png

docs-check: $(BUILD)/privaudit mo
	$(Q)tests/docs/run $(BUILD)/privaudit

fmt:
	clang-format -i auditor/*.[ch] checks/*.[ch] reports/*.[ch] tests/*.[ch] tests/*/*.[ch]

clean:
	rm -rf build build-asan build-fuzz demo

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/auditor/main.d
