/*
 * The address and route subcommands of openelb-packet-helper, over rtnetlink.
 *
 * The speaker's vip mode holds Service addresses on a node interface, and an Eip's
 * `interface: can_reach:IP` needs the interface of a route. The deployed image has no `ip`
 * binary and Node.js cannot open netlink sockets, so the helper does both:
 *
 *   addr list  IFNAME        every address on IFNAME, one "ADDR/PREFIX" per line
 *   addr add   IFNAME IP...  IP as a host address (/32 or /128) without a prefix route; IPv6
 *                            also nodad (usable at once) and deprecated (preferred lifetime 0:
 *                            the node never picks it as the source of its own traffic).
 *                            An address already there counts as added.
 *   addr del   IFNAME IP...  removes the host address IP (one already gone counts as removed)
 *   addr check IFNAME        IFNAME exists and the kernel lets us change its addresses
 *   route get  IP            prints the output interface of the route to IP
 *
 * Only host addresses (/32, /128) are ever added or removed, so the helper cannot touch a
 * node's subnet addresses. Every IP is parsed before anything changes; add and del go on past
 * an address the kernel refuses, reporting each failure on stderr.
 *
 * Exit status: 0 done; 1 the kernel refused (errno text on stderr); 2 usage, or not an IP;
 * 3 no such interface; 4 no route to IP. add, del and check need CAP_NET_ADMIN.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>
#include "netlink.h"

enum { ST_OK = 0, ST_KERNEL = 1, ST_USAGE = 2, ST_NO_IFACE = 3, ST_NO_ROUTE = 4 };

#define PROG "openelb-packet-helper"

struct ip { unsigned char family, len, bytes[16]; };

/* One request: header, fixed part, a few attributes. The union keeps it aligned for nlmsghdr. */
struct request { union { struct nlmsghdr h; unsigned char raw[256]; } u; };

static uint32_t last_seq;

static int parse_ip(const char *text, struct ip *out) {
  memset(out, 0, sizeof(*out));
  if (inet_pton(AF_INET, text, out->bytes) == 1) { out->family = AF_INET; out->len = 4; return 1; }
  if (inet_pton(AF_INET6, text, out->bytes) == 1) { out->family = AF_INET6; out->len = 16; return 1; }
  return 0;
}

/* Starts a request; returns its fixed part (ifaddrmsg, rtmsg), zeroed. `fixed` is at most 12. */
static void *request_init(struct request *r, uint16_t type, uint16_t flags, size_t fixed) {
  memset(r, 0, sizeof(*r));
  r->u.h.nlmsg_len = NLMSG_LENGTH(fixed);
  r->u.h.nlmsg_type = type;
  r->u.h.nlmsg_flags = flags;
  r->u.h.nlmsg_seq = ++last_seq;
  return NLMSG_DATA(&r->u.h);
}

/* Appends one attribute; 0 when it would not fit in the request buffer. */
static int add_attr(struct request *r, unsigned short type, const void *data, size_t len) {
  size_t at = NLMSG_ALIGN(r->u.h.nlmsg_len);
  if (len > sizeof(r->u.raw) || at + RTA_SPACE(len) > sizeof(r->u.raw)) return 0;
  struct rtattr *a = (struct rtattr *)(r->u.raw + at);
  a->rta_type = type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  memcpy(RTA_DATA(a), data, len);
  r->u.h.nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
  return 1;
}

static int nl_socket(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -1;
  /* The kernel always answers, but never let a helper hang the speaker's plan. */
  struct timeval tv = { 5, 0 };
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

/* Called for every reply that is not DONE or ERROR; a nonzero return ends the transaction. */
typedef int (*on_reply)(struct nlmsghdr *h, void *ctx);

/*
 * Sends the request and reads its replies: up to the ACK or error, the end of a dump, or the
 * single answer of a plain GET. Returns 0 or a negative errno.
 */
static int transact(int fd, struct request *r, on_reply each, void *ctx) {
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  ssize_t sent = sendto(fd, &r->u.h, r->u.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
  if (sent < 0) return -errno;
  if ((size_t)sent != r->u.h.nlmsg_len) return -EIO;
  /* Big enough for any dump message the kernel sizes for us; a truncated one is an error. */
  static union { struct nlmsghdr h; unsigned char raw[65536]; } buf;
  for (;;) {
    struct sockaddr_nl from;
    struct iovec iov = { buf.raw, sizeof(buf.raw) };
    struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n = recvmsg(fd, &msg, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN ? -ETIMEDOUT : -errno;
    if (msg.msg_flags & MSG_TRUNC) return -EMSGSIZE;
    if (from.nl_pid != 0) continue; /* only the kernel speaks to us */
    /* int, as NLMSG_OK/NLMSG_NEXT expect: the remainder may go negative, never wrap. */
    int left = (int)n;
    for (struct nlmsghdr *h = &buf.h; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq != r->u.h.nlmsg_seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) {
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) return -EBADMSG;
        return ((struct nlmsgerr *)NLMSG_DATA(h))->error; /* 0 is the ACK */
      }
      if (each) {
        int rc = each(h, ctx);
        if (rc) return rc;
      }
      if (!(h->nlmsg_flags & NLM_F_MULTI)) return 0;
    }
  }
}

/* ---- addr list ---------------------------------------------------------------------------- */

/* Prints one address of the wanted interface (RTM_NEWADDR from the dump). */
static int print_addr(struct nlmsghdr *h, void *ctx) {
  unsigned ifindex = *(unsigned *)ctx;
  if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg))) return 0;
  struct ifaddrmsg *ifa = NLMSG_DATA(h);
  if (ifa->ifa_index != ifindex || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)) return 0;
  size_t len = ifa->ifa_family == AF_INET ? 4 : 16;
  const void *local = NULL, *address = NULL;
  int left = (int)IFA_PAYLOAD(h);
  for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
    if (RTA_PAYLOAD(a) != len) continue;
    if (a->rta_type == IFA_LOCAL) local = RTA_DATA(a);
    else if (a->rta_type == IFA_ADDRESS) address = RTA_DATA(a);
  }
  /* On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours. */
  const void *ip = local ? local : address;
  char text[INET6_ADDRSTRLEN];
  if (ip && inet_ntop(ifa->ifa_family, ip, text, sizeof(text))) printf("%s/%u\n", text, ifa->ifa_prefixlen);
  return 0;
}

static int list_addrs(int fd, unsigned ifindex) {
  struct request r;
  struct ifaddrmsg *ifa = request_init(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, sizeof(*ifa));
  ifa->ifa_family = AF_UNSPEC; /* both families; filtered by index here (older kernels ignore it) */
  return transact(fd, &r, print_addr, &ifindex);
}

/* ---- addr add / del / check --------------------------------------------------------------- */

static int change_addr(int fd, int add, unsigned ifindex, const struct ip *ip) {
  struct request r;
  uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
  struct ifaddrmsg *ifa = request_init(&r, add ? RTM_NEWADDR : RTM_DELADDR, flags, sizeof(*ifa));
  int v6 = ip->family == AF_INET6;
  ifa->ifa_family = ip->family;
  ifa->ifa_prefixlen = (unsigned char)(ip->len * 8);
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = ifindex;
  /* IFA_ADDRESS with the full prefix length makes a delete match only this host address. */
  int ok = add_attr(&r, IFA_LOCAL, ip->bytes, ip->len) && add_attr(&r, IFA_ADDRESS, ip->bytes, ip->len);
  if (add) {
    uint32_t ifa_flags = IFA_F_NOPREFIXROUTE | (v6 ? IFA_F_NODAD : 0);
    ifa->ifa_flags = (unsigned char)(ifa_flags & 0xff); /* kernels before IFA_FLAGS read these 8 bits */
    ok = ok && add_attr(&r, IFA_FLAGS, &ifa_flags, sizeof(ifa_flags));
    if (v6) {
      struct ifa_cacheinfo life = { .ifa_prefered = 0, .ifa_valid = 0xffffffffu }; /* deprecated, forever */
      ok = ok && add_attr(&r, IFA_CACHEINFO, &life, sizeof(life));
    }
  }
  if (!ok) return -EMSGSIZE;
  int rc = transact(fd, &r, NULL, NULL);
  if (add && rc == -EEXIST) return 0;
  if (!add && rc == -EADDRNOTAVAIL) return 0;
  return rc;
}

/*
 * Whether we may change IFNAME's addresses, without changing any: a delete that cannot match
 * (prefix length 33 of 255.255.255.255). The kernel checks CAP_NET_ADMIN before it looks, so
 * EPERM means refused and any other answer (EADDRNOTAVAIL, EINVAL, ...) means allowed.
 */
static int check_permission(int fd, unsigned ifindex) {
  struct request r;
  struct ifaddrmsg *ifa = request_init(&r, RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, sizeof(*ifa));
  const unsigned char none[4] = { 255, 255, 255, 255 };
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = 33;
  ifa->ifa_index = ifindex;
  if (!add_attr(&r, IFA_LOCAL, none, 4) || !add_attr(&r, IFA_ADDRESS, none, 4)) return -EMSGSIZE;
  int rc = transact(fd, &r, NULL, NULL);
  return rc == -EPERM || rc == -EACCES ? rc : 0;
}

/* ---- route get ---------------------------------------------------------------------------- */

static int read_oif(struct nlmsghdr *h, void *ctx) {
  if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg))) return 0;
  int left = (int)RTM_PAYLOAD(h);
  for (struct rtattr *a = RTM_RTA(NLMSG_DATA(h)); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
    if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) == sizeof(uint32_t)) memcpy(ctx, RTA_DATA(a), sizeof(uint32_t));
  }
  return 0;
}

static int route_get(int fd, const struct ip *ip, char ifname[IF_NAMESIZE]) {
  struct request r;
  struct rtmsg *rt = request_init(&r, RTM_GETROUTE, NLM_F_REQUEST, sizeof(*rt));
  rt->rtm_family = ip->family;
  rt->rtm_dst_len = (unsigned char)(ip->len * 8);
  if (!add_attr(&r, RTA_DST, ip->bytes, ip->len)) return -EMSGSIZE;
  uint32_t oif = 0;
  int rc = transact(fd, &r, read_oif, &oif);
  if (rc) return rc;
  if (!oif) return -ENETUNREACH; /* e.g. a blackhole route: no interface to name */
  return if_indextoname(oif, ifname) ? 0 : -ENODEV;
}

/* ---- command line ------------------------------------------------------------------------- */

static int usage(void) {
  fprintf(stderr, "usage: " PROG " addr list|check IFNAME | addr add|del IFNAME IP... | route get IP\n");
  return ST_USAGE;
}

/* Reports a kernel error for one operation and returns the exit status it maps to. */
static int report(const char *what, int rc) {
  fprintf(stderr, PROG ": %s: %s%s\n", what, strerror(-rc), rc == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
  return rc == -ENODEV ? ST_NO_IFACE : ST_KERNEL;
}

static int open_or_report(void) {
  int fd = nl_socket();
  if (fd < 0) fprintf(stderr, PROG ": netlink socket: %s\n", strerror(errno));
  return fd;
}

static int cmd_route_get(const char *text) {
  struct ip ip;
  if (!parse_ip(text, &ip)) { fprintf(stderr, PROG ": route get: not an IP address: \"%s\"\n", text); return ST_USAGE; }
  int fd = open_or_report();
  if (fd < 0) return ST_KERNEL;
  char ifname[IF_NAMESIZE];
  int rc = route_get(fd, &ip, ifname);
  close(fd);
  /* Unreachable and prohibit routes answer with these: no interface leads there. */
  if (rc == -ENETUNREACH || rc == -EHOSTUNREACH || rc == -EACCES) { fprintf(stderr, PROG ": no route to %s\n", text); return ST_NO_ROUTE; }
  if (rc) return report("route get", rc);
  printf("%s\n", ifname);
  return fflush(stdout) == 0 ? ST_OK : ST_KERNEL;
}

/* add / del every IP (all parsed first); the first failure's status, after trying them all. */
static int cmd_change(int fd, int add, const char *ifname, unsigned ifindex, int n, char **texts) {
  struct ip ip;
  for (int i = 0; i < n; i++) {
    if (!parse_ip(texts[i], &ip)) { fprintf(stderr, PROG ": not an IP address: \"%s\"\n", texts[i]); return ST_USAGE; }
  }
  int status = ST_OK;
  for (int i = 0; i < n; i++) {
    parse_ip(texts[i], &ip);
    int rc = change_addr(fd, add, ifindex, &ip);
    if (!rc) continue;
    char what[128];
    snprintf(what, sizeof(what), "addr %s %s %s", add ? "add" : "del", ifname, texts[i]);
    int st = report(what, rc);
    if (status == ST_OK) status = st;
    if (st == ST_NO_IFACE) break; /* the interface went away: the rest would fail the same way */
  }
  return status;
}

static int cmd_addr(const char *verb, const char *ifname, int n, char **ips) {
  int list = !strcmp(verb, "list"), check = !strcmp(verb, "check"), add = !strcmp(verb, "add"), del = !strcmp(verb, "del");
  if (((list || check) && n != 0) || ((add || del) && n == 0) || !(list || check || add || del)) return usage();
  unsigned ifindex = strlen(ifname) < IF_NAMESIZE ? if_nametoindex(ifname) : 0;
  if (!ifindex) { fprintf(stderr, PROG ": interface %s does not exist\n", ifname); return ST_NO_IFACE; }
  int fd = open_or_report();
  if (fd < 0) return ST_KERNEL;
  int status = ST_OK, rc;
  char what[64];
  snprintf(what, sizeof(what), "addr %s %s", verb, ifname);
  if (list) {
    rc = list_addrs(fd, ifindex);
    if (rc) status = report(what, rc);
    else if (fflush(stdout) != 0) status = ST_KERNEL;
  } else if (check) {
    rc = check_permission(fd, ifindex);
    if (rc) status = report(what, rc);
  } else {
    status = cmd_change(fd, add, ifname, ifindex, n, ips);
  }
  close(fd);
  return status;
}

int netlink_main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[0], "route") && !strcmp(argv[1], "get")) return cmd_route_get(argv[2]);
  if (argc >= 3 && !strcmp(argv[0], "addr")) return cmd_addr(argv[1], argv[2], argc - 3, argv + 3);
  return usage();
}
