/*
 * test_net.c - the peer names pgpin logs, formatted from the address
 * accept() gave: IPv4 by hand, IPv6 in brackets, Unix sockets as "unix",
 * and always cut to the buffer.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "net.h"
#include "runtime.h"

/* net.c's connecting half uses the event loop's runtime; main.c, which
 * defines it, is not in the library. */
struct runtime rt;

static const char *v4(const char *ip, int port, char *buf, size_t len)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	cr_assert_eq(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	net_addr_name((const struct sockaddr *)&sin, buf, len);
	return buf;
}

Test(net, ipv4_addresses_as_inet_ntop_writes_them)
{
	static const char *const ips[] = {"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.0.100.9",
					  "192.168.1.20"};
	static const int ports[] = {0, 1, 9, 10, 5432, 65535};
	char buf[64], want[64], host[INET_ADDRSTRLEN];

	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++)
		for (size_t j = 0; j < sizeof(ports) / sizeof(ports[0]); j++) {
			struct in_addr a;
			inet_pton(AF_INET, ips[i], &a);
			inet_ntop(AF_INET, &a, host, sizeof(host));
			snprintf(want, sizeof(want), "%s:%d", host, ports[j]);
			cr_assert_str_eq(v4(ips[i], ports[j], buf, sizeof(buf)), want);
		}
}

Test(net, ipv4_cut_to_the_buffer)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	cr_assert_str_eq(v4("192.168.100.200", 65535, buf, sizeof(buf)), "192.168");
	cr_assert_str_eq(v4("127.0.0.1", 5432, buf, 1), "");
	buf[0] = 'x';
	net_addr_name((const struct sockaddr *)&(struct sockaddr_in){.sin_family = AF_INET}, buf,
		      0);
	cr_assert_eq(buf[0], 'x', "a zero-length buffer is not written");
}

Test(net, ipv6_in_brackets_and_unix)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	char buf[64];

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(6432);
	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	net_addr_name((const struct sockaddr *)&sin6, buf, sizeof(buf));
	cr_assert_str_eq(buf, "[::1]:6432");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	net_addr_name((const struct sockaddr *)&sun, buf, sizeof(buf));
	cr_assert_str_eq(buf, "unix");
}
