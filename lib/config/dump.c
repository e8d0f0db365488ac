/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: ptcp_config_dump(), the effective configuration in INI form.
 */

#include <inttypes.h>
#include <arpa/inet.h>

#include "config_priv.h"

static void
dump_table(const struct ptcp_config_key *keys, unsigned int n, const void *base,
		FILE *f)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		const void *field = (const char *)base + keys[k].off;

		if (keys[k].type == PTCP_CONFIG_BOOL)
			fprintf(f, "%s = %s", keys[k].key,
				*(const bool *)field ? "yes" : "no");
		else if (keys[k].type == PTCP_CONFIG_ENUM)
			fprintf(f, "%s = %s", keys[k].key, keys[k].names[
				RTE_MIN(cfg_load_uint(field, keys[k].size),
					keys[k].max)]);
		else
			fprintf(f, "%s = %" PRIu64, keys[k].key,
				cfg_load_uint(field, keys[k].size));
		fprintf(f, "\t; %s\n", keys[k].doc);
	}
}

static void
dump_section(const struct ptcp_config_section *sec, const void *base, FILE *f)
{
	fprintf(f, "\n[%s]\n", sec->name);
	dump_table(sec->keys, sec->nb_keys, base, f);
}

/* extra_addresses, consecutive addresses written as ranges. */
static void
dump_addr_list(const struct ptcp_port_config *pc, FILE *f)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	unsigned int i = 0, j;

	fprintf(f, "extra_addresses = ");
	if (pc->nb_extra == 0)
		fprintf(f, "none");
	while (i < pc->nb_extra) {
		for (j = i; j + 1 < pc->nb_extra &&
				ntohl(pc->extra_addr[j + 1]) ==
				ntohl(pc->extra_addr[j]) + 1; j++)
			;
		fprintf(f, "%s%s", i != 0 ? "," : "",
			cfg_ip_str(pc->extra_addr[i], a));
		if (j != i)
			fprintf(f, "-%s", cfg_ip_str(pc->extra_addr[j], b));
		i = j + 1;
	}
	fprintf(f, "\n");
}

void
ptcp_config_dump(const struct ptcp_config *cfg, FILE *f)
{
	char a[INET_ADDRSTRLEN];
	unsigned int i, s;

	fprintf(f, "; ptcp effective configuration\n");
	for (i = 0; i < PTCP_MAX_PORTS; i++) {
		const struct ptcp_port_config *pc = &cfg->port[i];

		if (!pc->enabled)
			continue;
		fprintf(f, "\n[port%u]\n", i);
		if (pc->device[0] != '\0')
			fprintf(f, "device = %s\n", pc->device);
		fprintf(f, "address = %s/%d\n", cfg_ip_str(pc->addr, a),
			cfg_mask_to_prefix(pc->netmask));
		dump_addr_list(pc, f);
		fprintf(f, "gateway = %s\n",
			pc->gateway != 0 ? cfg_ip_str(pc->gateway, a) : "none");
		if (pc->mac_set)
			fprintf(f, "mac = " RTE_ETHER_ADDR_PRT_FMT "\n",
				RTE_ETHER_ADDR_BYTES(&pc->mac));
		dump_table(cfg_port_keys, cfg_nb_port_keys, pc, f);
	}
	for (s = 0; s < cfg_nb_plain_sections; s++)
		dump_section(&cfg_plain_sections[s], cfg, f);
	for (s = 0; cfg->schema != NULL && s < cfg->schema->nb; s++)
		dump_section(cfg->schema->reg[s].sec, cfg->schema->reg[s].base,
			f);
	if (cfg->nb_arp_static == 0)
		return;
	fprintf(f, "\n[" SEC_ARP_STATIC "]\n");
	for (i = 0; i < cfg->nb_arp_static && i < PTCP_MAX_STATIC_ARP; i++)
		fprintf(f, "%s = " RTE_ETHER_ADDR_PRT_FMT " port %u\n",
			cfg_ip_str(cfg->arp_static[i].ip, a),
			RTE_ETHER_ADDR_BYTES(&cfg->arp_static[i].mac),
			cfg->arp_static[i].port);
}
