# make install / uninstall / deb (included by the Makefile).
#   make install [PREFIX=/usr/local] [DESTDIR=] [SYSCONFDIR=/etc]
#   make uninstall (same variables): removes what install laid down
#   make deb: build/proclife_<version>_<arch>.deb (PREFIX=/usr), with dpkg-deb
# Files under SYSCONFDIR are configuration: install leaves an existing one alone
# (it may hold the administrator's changes) and uninstall removes one only while
# it is unchanged; in the package, dpkg's conffile handling does the same.
PREFIX      ?= /usr/local
SYSCONFDIR  ?= /etc
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# Example Prometheus alert rules (docs/OPERATING.md, "Alerts"), for rule_files in prometheus.yml.
DATADIR     ?= $(PREFIX)/share/proclife
# systemd looks in /lib/systemd/system (Debian's packages) and /usr/local/lib/systemd/system.
UNITDIR     ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)

PKG_DIR     := tools/packaging
PKG_UNITS   := proclife.service proclife-events.service
# What install lays down, relative to DESTDIR (tests/e2e/test_package.py checks the list).
PKG_FILES   := $(BINDIR)/proclife $(MANDIR)/man8/proclife.8 $(BASHCOMPDIR)/proclife \
               $(DATADIR)/proclife.rules.yml \
               $(addprefix $(UNITDIR)/,$(PKG_UNITS))
PKG_CONF    := $(SYSCONFDIR)/default/proclife:$(PKG_DIR)/proclife.default \
               $(SYSCONFDIR)/logrotate.d/proclife:$(PKG_DIR)/proclife.logrotate

.PHONY: install uninstall deb

# The units name the binary where it is installed.
$(BUILD)/packaging/%.service: $(PKG_DIR)/%.service.in FORCE
	@mkdir -p $(@D)
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@.tmp && mv $@.tmp $@

.PHONY: FORCE
FORCE:

install: $(BUILD)/proclife $(addprefix $(BUILD)/packaging/,$(PKG_UNITS))
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/default $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	install -m 0755 $(BUILD)/proclife $(DESTDIR)$(BINDIR)/proclife
	install -m 0644 docs/proclife.8 $(DESTDIR)$(MANDIR)/man8/proclife.8
	install -m 0644 tools/completion/proclife.bash $(DESTDIR)$(BASHCOMPDIR)/proclife
	install -m 0644 tools/prometheus/proclife.rules.yml $(DESTDIR)$(DATADIR)/proclife.rules.yml
	install -m 0644 $(addprefix $(BUILD)/packaging/,$(PKG_UNITS)) $(DESTDIR)$(UNITDIR)/
	@for c in $(PKG_CONF); do \
		dst=$(DESTDIR)$${c%%:*}; src=$${c#*:}; \
		if [ -e "$$dst" ] && ! cmp -s "$$src" "$$dst"; then \
			echo "install: $$dst exists and differs from $$src: kept"; \
		else \
			echo "install -m 0644 $$src $$dst"; install -m 0644 "$$src" "$$dst" || exit 1; \
		fi; \
	done

uninstall:
	rm -f $(addprefix $(DESTDIR),$(PKG_FILES))
	@rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true
	@for c in $(PKG_CONF); do \
		dst=$(DESTDIR)$${c%%:*}; src=$${c#*:}; \
		if [ -e "$$dst" ] && ! cmp -s "$$src" "$$dst"; then \
			echo "uninstall: $$dst was changed: kept"; \
		else \
			echo "rm -f $$dst"; rm -f "$$dst"; \
		fi; \
	done

# The package: what `make install PREFIX=/usr` lays down, staged, then
# tools/packaging/mkdeb.sh adds the Debian metadata and runs dpkg-deb.
deb: $(BUILD)/proclife
	rm -rf $(BUILD)/deb
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(BUILD)/deb/root PREFIX=/usr SYSCONFDIR=/etc \
		BINDIR=/usr/bin MANDIR=/usr/share/man BASHCOMPDIR=/usr/share/bash-completion/completions \
		DATADIR=/usr/share/proclife \
		UNITDIR=/lib/systemd/system
	$(PKG_DIR)/mkdeb.sh $(BUILD)/deb/root $(BUILD)
