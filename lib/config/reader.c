/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: the reader. Pass 1 reads the file line by line into an
 * rte_cfgfile (syntax, lengths, duplicates: "FILE:LINE: ..."); pass 2 adds
 * the --set strings to it. The error messages of every pass are made here.
 *
 * The file is not read with rte_cfgfile_load(): in DPDK 22.11 it says
 * nothing about why a file is rejected, silently truncates names longer
 * than CFG_NAME_LEN - 1 and values longer than CFG_VALUE_LEN - 1, keeps
 * both copies of a repeated key (rte_cfgfile_get_entry() returns the first)
 * and hides a repeated section behind the first. cfg_read_file() applies the
 * same grammar strictly and stores what it reads with
 * rte_cfgfile_add_section() and rte_cfgfile_add_entry(); everything after
 * it reads the configuration back through the rte_cfgfile API.
 */

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

/* ----- error messages ----- */

static void __rte_format_printf(3, 0)
verr(struct ptcp_config_ctx *c, const char *prefix, const char *fmt, va_list ap)
{
	int n;

	if (c->err == NULL || c->errlen == 0)
		return;
	n = snprintf(c->err, c->errlen, "%s", prefix);
	if (n < 0 || (size_t)n >= c->errlen)
		return;
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
}

/* "FILE:LINE: ..." for what cfg_read_file() finds. */
static int __rte_format_printf(3, 4)
fail_line(struct ptcp_config_ctx *c, unsigned int line, const char *fmt, ...)
{
	char prefix[PATH_MAX + 32];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s:%u: ", c->path, line);
	va_start(ap, fmt);
	verr(c, prefix, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "FILE: cannot read: ..." */
static int
fail_read(struct ptcp_config_ctx *c, int errnum)
{
	if (c->err != NULL && c->errlen > 0)
		snprintf(c->err, c->errlen, "%s: cannot read: %s", c->path,
			strerror(errnum));
	return -ENOENT;
}

/* "command line: ..." for a malformed --set string. */
static int __rte_format_printf(2, 3)
fail_cmdline(struct ptcp_config_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(c, CMDLINE ": ", fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Where section/key (key NULL: the section) came from: the command line if
 * an override set that key or created that section, else the file.
 */
static const char *
origin(const struct ptcp_config_ctx *c, const char *section, const char *key)
{
	unsigned int i;

	if (c->path == NULL)
		return CMDLINE;
	for (i = 0; i < c->nb_ovr; i++) {
		if (strcmp(c->ovr[i].section, section) != 0)
			continue;
		if (c->ovr[i].new_section ||
				(key != NULL && strcmp(c->ovr[i].key, key) == 0))
			return CMDLINE;
	}
	return c->path;
}

/* "FILE: [section] key: ..." (or "FILE: [section]: ..." if key is NULL). */
int __rte_format_printf(4, 5)
ptcp_config_fail(struct ptcp_config_ctx *c, const char *section, const char *key,
		const char *fmt, ...)
{
	char prefix[PATH_MAX + 2 * CFG_NAME_LEN + 16];
	va_list ap;

	if (key != NULL)
		snprintf(prefix, sizeof(prefix), "%s: [%s] %s: ",
			origin(c, section, key), section, key);
	else
		snprintf(prefix, sizeof(prefix), "%s: [%s]: ",
			origin(c, section, NULL), section);
	va_start(ap, fmt);
	verr(c, prefix, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ----- pass 1: the file ----- */

char *
cfg_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

bool
cfg_valid_name(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_.-:", *s) == NULL)
			return false;
	return true;
}

/* Remember a header or key; 0, -EEXIST (*first = its line) or -ENOMEM. */
static int
remember(struct ptcp_config_ctx *c, const char *section, const char *key,
		unsigned int line, unsigned int *first)
{
	struct seen *s;
	unsigned int i;

	for (i = 0; i < c->nb_seen; i++) {
		if (strcmp(c->seen[i].section, section) == 0 &&
				strcmp(c->seen[i].key, key) == 0) {
			*first = c->seen[i].line;
			return -EEXIST;
		}
	}
	if (c->nb_seen == c->cap_seen) {
		unsigned int cap = c->cap_seen ? 2 * c->cap_seen : 64;

		s = realloc(c->seen, cap * sizeof(*s));
		if (s == NULL)
			return -ENOMEM;
		c->seen = s;
		c->cap_seen = cap;
	}
	s = &c->seen[c->nb_seen++];
	strlcpy(s->section, section, sizeof(s->section));
	strlcpy(s->key, key, sizeof(s->key));
	s->line = line;
	return 0;
}

/* A section's name or a key: not empty, not too long, legal characters. */
static int
check_name(struct ptcp_config_ctx *c, unsigned int line, const char *name,
		bool section)
{
	if (*name == '\0')
		return fail_line(c, line, "%s", section ? "empty section name" :
			"no key before '='");
	if (strlen(name) >= CFG_NAME_LEN)
		return fail_line(c, line,
			"%s is %zu characters long, at most %d",
			section ? "section name" : "key", strlen(name),
			CFG_NAME_LEN - 1);
	if (!cfg_valid_name(name))
		return fail_line(c, line,
			"%s%s%s: a name is letters, digits, '_', '.', '-', ':'",
			section ? "[" : "'", name, section ? "]" : "'");
	return 0;
}

/* "[name]" (already trimmed, starts with '['). */
static int
read_section_line(struct ptcp_config_ctx *c, char *s, unsigned int line,
		char *section)
{
	char *end = strchr(s, ']');
	char *name;
	unsigned int first;
	int ret;

	if (end == NULL)
		return fail_line(c, line, "'%.*s': no closing ']'",
			PTCP_CONFIG_QUOTE_MAX, s);
	if (*cfg_trim(end + 1) != '\0')
		return fail_line(c, line, "'%.*s' after ']'",
			PTCP_CONFIG_QUOTE_MAX, cfg_trim(end + 1));
	*end = '\0';
	name = cfg_trim(s + 1);
	ret = check_name(c, line, name, true);
	if (ret != 0)
		return ret;
	ret = remember(c, name, "", line, &first);
	if (ret == -EEXIST)
		return fail_line(c, line,
			"[%s]: duplicate section (first on line %u)",
			name, first);
	if (ret != 0)
		return ret;
	if (rte_cfgfile_add_section(c->cf, name) != 0)
		return -ENOMEM;
	strlcpy(section, name, CFG_NAME_LEN);
	return 0;
}

/* "key = value" (already trimmed). */
static int
read_entry_line(struct ptcp_config_ctx *c, char *s, unsigned int line,
		const char *section)
{
	char *eq = strchr(s, '=');
	char *key, *value;
	unsigned int first;
	int ret;

	if (eq == NULL)
		return fail_line(c, line,
			"'%.*s' is neither '[section]' nor 'key = value'",
			PTCP_CONFIG_QUOTE_MAX, s);
	*eq = '\0';
	key = cfg_trim(s);
	value = cfg_trim(eq + 1);
	ret = check_name(c, line, key, false);
	if (ret != 0)
		return ret;
	if (*section == '\0')
		return fail_line(c, line, "%s: key before the first [section]",
			key);
	if (*value == '\0')
		return fail_line(c, line, "[%s] %s: empty value", section, key);
	if (strlen(value) >= CFG_VALUE_LEN)
		return fail_line(c, line,
			"[%s] %s: value is %zu characters long, at most %d",
			section, key, strlen(value), CFG_VALUE_LEN - 1);
	ret = remember(c, section, key, line, &first);
	if (ret == -EEXIST)
		return fail_line(c, line,
			"[%s] %s: duplicate key (first on line %u)",
			section, key, first);
	if (ret != 0)
		return ret;
	return rte_cfgfile_add_entry(c->cf, section, key, value) == 0 ?
		0 : -ENOMEM;
}

/*
 * The grammar: blank lines; comments from ';' or '#' to the end of the
 * line (values never contain either); "[section]"; "key = value", with
 * spaces around both trimmed. Nothing else.
 */
int
cfg_read_file(struct ptcp_config_ctx *c)
{
	char section[CFG_NAME_LEN] = "";
	unsigned int line = 0;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int ret = 0;

	f = fopen(c->path, "r");
	if (f == NULL)
		return fail_read(c, errno);
	while (ret == 0 && (n = getline(&buf, &cap, f)) >= 0) {
		char *s;

		line++;
		if (memchr(buf, '\0', n) != NULL) {
			ret = fail_line(c, line, "NUL byte in the line");
			break;
		}
		s = buf;
		if (line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;		/* UTF-8 byte order mark */
		s[strcspn(s, ";#")] = '\0';
		s = cfg_trim(s);
		if (*s == '\0')
			continue;
		if (*s == '[')
			ret = read_section_line(c, s, line, section);
		else
			ret = read_entry_line(c, s, line, section);
	}
	if (ret == 0 && ferror(f))
		ret = fail_read(c, errno);
	free(buf);
	fclose(f);
	return ret;
}

/* ----- pass 2: the --set strings ----- */

/*
 * "section.key=value": the section is the longest known section name
 * before a '.', so that "arp.static.10.0.0.9=..." is key 10.0.0.9 of
 * [arp.static]; for an unknown section, the split is at the last '.'.
 */
static int
apply_override(struct ptcp_config_ctx *c, const char *str, struct override *o)
{
	char buf[CFG_NAME_LEN + CFG_NAME_LEN + CFG_VALUE_LEN + 8];
	char *eq, *dot, *section, *key, *value;
	size_t len;
	int ret;

	if (strlen(str) >= sizeof(buf))
		return fail_cmdline(c, "'%.*s...': longer than %zu characters",
			PTCP_CONFIG_QUOTE_MAX, str, sizeof(buf) - 1);
	strlcpy(buf, str, sizeof(buf));
	eq = strchr(buf, '=');
	if (eq == NULL)
		return fail_cmdline(c,
			"'%.*s': expected section.key=value", PTCP_CONFIG_QUOTE_MAX, str);
	*eq = '\0';
	value = cfg_trim(eq + 1);
	section = cfg_trim(buf);
	len = cfg_known_section_prefix(c, section);
	dot = len != 0 ? section + len : strrchr(section, '.');
	if (dot == NULL)
		return fail_cmdline(c,
			"'%.*s': expected section.key=value, no '.' in '%.*s'",
			PTCP_CONFIG_QUOTE_MAX, str, PTCP_CONFIG_QUOTE_MAX, section);
	*dot = '\0';
	key = cfg_trim(dot + 1);
	section = cfg_trim(section);
	if (*section == '\0' || *key == '\0')
		return fail_cmdline(c,
			"'%.*s': expected section.key=value", PTCP_CONFIG_QUOTE_MAX, str);
	if (strlen(section) >= CFG_NAME_LEN || !cfg_valid_name(section))
		return fail_cmdline(c, "'%.*s': bad section name",
			PTCP_CONFIG_QUOTE_MAX, str);
	if (strlen(key) >= CFG_NAME_LEN || !cfg_valid_name(key))
		return fail_cmdline(c, "'%.*s': bad key name", PTCP_CONFIG_QUOTE_MAX, str);
	if (*value == '\0')
		return fail_cmdline(c, "[%s] %s: empty value", section, key);
	if (strpbrk(value, ";#") != NULL)
		return fail_cmdline(c, "[%s] %s: '%.*s': a value cannot hold "
			"';' or '#' (they start comments in a file)",
			section, key, PTCP_CONFIG_QUOTE_MAX, value);
	if (strlen(value) >= CFG_VALUE_LEN)
		return fail_cmdline(c,
			"[%s] %s: value is %zu characters long, at most %d",
			section, key, strlen(value), CFG_VALUE_LEN - 1);

	strlcpy(o->section, section, sizeof(o->section));
	strlcpy(o->key, key, sizeof(o->key));
	o->new_section = false;
	if (!rte_cfgfile_has_section(c->cf, section)) {
		if (rte_cfgfile_add_section(c->cf, section) != 0)
			return -ENOMEM;
		o->new_section = true;
	}
	if (rte_cfgfile_has_entry(c->cf, section, key))
		ret = rte_cfgfile_set_entry(c->cf, section, key, value);
	else
		ret = rte_cfgfile_add_entry(c->cf, section, key, value);
	return ret == 0 ? 0 : -ENOMEM;
}

int
cfg_apply_overrides(struct ptcp_config_ctx *c, const char *const *overrides,
		unsigned int nb)
{
	unsigned int i;
	int ret;

	if (nb == 0)
		return 0;
	if (overrides == NULL)
		return -EINVAL;
	c->ovr = calloc(nb, sizeof(*c->ovr));
	if (c->ovr == NULL)
		return -ENOMEM;
	for (i = 0; i < nb; i++) {
		if (overrides[i] == NULL)
			return fail_cmdline(c, "override %u is NULL", i);
		ret = apply_override(c, overrides[i], &c->ovr[i]);
		if (ret != 0)
			return ret;
		/* counted only once complete: origin() reads it */
		c->nb_ovr = i + 1;
	}
	return 0;
}
