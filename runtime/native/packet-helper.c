/*
 * openelb-packet-helper: raw Ethernet I/O for the OpenELB speaker's Layer2 mode.
 *
 *   usage: openelb-packet-helper [--max-rate FRAMES_PER_SECOND] [--send-only] IFNAME
 *          openelb-packet-helper addr ... | route ...    (rtnetlink: see netlink.c)
 *
 * --max-rate: frames per second forwarded to the parent, 1..1000000 (default 2000).
 * --send-only: receive nothing (vip mode only sends gratuitous ARP / NA; the kernel answers).
 *
 * Node.js cannot open AF_PACKET sockets, so the speaker spawns this helper. It
 * opens one packet socket on IFNAME with a kernel (classic BPF) filter that
 * lets through only untagged ARP requests and ICMPv6 Neighbor Solicitations, and
 * exchanges messages with its parent over stdin/stdout. No promiscuous mode:
 * IPv6 solicited-node groups are joined as link-layer multicast memberships
 * when the parent asks ('M').
 *
 * Every message, both ways, is [type: 1 byte][length: 2 bytes big-endian][payload].
 *   helper -> parent
 *     'I'  JSON describing the interface (name, ifindex, mac, mtu, addrs); sent first
 *     'F'  one received Ethernet frame
 *     'S'  JSON counters (answer to 'S')
 *     'E'  error text; the helper exits with status 1 after it
 *   parent -> helper
 *     'F'  an Ethernet frame to transmit on IFNAME
 *     'M'  6-byte multicast MAC to join;  'm' 6-byte multicast MAC to leave
 *     'S'  ask for counters
 *
 * Bounded by design: stdout is non-blocking and a frame the parent is too slow
 * to take is dropped (counted), received frames beyond --max-rate per second
 * are dropped (counted), control replies ('S', 'E') wait at most ~1 s for room,
 * and the helper exits when stdin closes (parent gone).
 * Needs CAP_NET_RAW.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <math.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "netlink.h"

#define MAX_FRAME 1518            /* largest frame we pass either way */
#define IN_BUF (4 * (3 + MAX_FRAME))
#define MAX_RATE 1000000          /* --max-rate upper bound, frames per second */

static struct {
  unsigned long long rx, forwarded, dropped_rate, dropped_slow, dropped_oversize, tx, tx_errors, socket_errors;
} stats;

/* Write one whole message to stdout. Payloads are < PIPE_BUF, so a write to the
 * non-blocking pipe is atomic: it either goes in whole or fails with EAGAIN. */
static int send_msg(char type, const void *data, size_t len) {
  unsigned char buf[3 + 4000];
  if (len > sizeof(buf) - 3) return -1;
  buf[0] = (unsigned char)type;
  buf[1] = (unsigned char)(len >> 8);
  buf[2] = (unsigned char)(len & 0xff);
  memcpy(buf + 3, data, len);
  for (;;) {
    ssize_t n = write(STDOUT_FILENO, buf, len + 3);
    if (n == (ssize_t)(len + 3)) return 0;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return 1; /* parent is slow: caller drops */
    exit(0);                                /* parent gone (EPIPE) or short write */
  }
}

/* Control replies ('S', 'E') must not be lost to a full pipe: wait for room,
 * but at most about one second, so a stuck parent still cannot block us. */
static void send_control(char type, const void *data, size_t len) {
  for (int tries = 0; tries < 10; tries++) {
    if (send_msg(type, data, len) != 1) return;
    struct pollfd out = { STDOUT_FILENO, POLLOUT, 0 };
    poll(&out, 1, 100);
  }
}

static void fail(const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof(text)) n = sizeof(text) - 1;
  send_control('E', text, (size_t)n);
  fprintf(stderr, "openelb-packet-helper: %s\n", text);
  exit(1);
}

/* Append to a bounded string buffer; returns 0 when it did not fit. */
static int append(char *buf, size_t cap, size_t *used, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= cap - *used) { buf[*used] = '\0'; return 0; }
  *used += (size_t)n;
  return 1;
}

/* Append S as a JSON string: quotes, backslashes and control bytes escaped (Linux allows
 * all of them in interface names). Bytes >= 0x80 pass through, so UTF-8 names stay readable. */
static int append_json_string(char *buf, size_t cap, size_t *used, const char *s) {
  if (!append(buf, cap, used, "\"")) return 0;
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    int ok = *c == '"' || *c == '\\' ? append(buf, cap, used, "\\%c", *c)
           : *c < 0x20 || *c == 0x7f ? append(buf, cap, used, "\\u%04x", *c)
           : append(buf, cap, used, "%c", *c);
    if (!ok) return 0;
  }
  return append(buf, cap, used, "\"");
}

/* The first message: what the parent needs to build frames for this interface. */
static void send_info(int fd, const char *ifname, int ifindex) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) fail("SIOCGIFHWADDR %s: %s", ifname, strerror(errno));
  const unsigned char *m = (const unsigned char *)ifr.ifr_hwaddr.sa_data;
  char mac[18];
  snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  int mtu = 0;
  if (ioctl(fd, SIOCGIFMTU, &ifr) == 0) mtu = ifr.ifr_mtu;

  char json[3000];
  size_t used = 0;
  /* IFNAMSIZ bounds the name, so these always fit. */
  append(json, sizeof(json), &used, "{\"ifname\":");
  append_json_string(json, sizeof(json), &used, ifname);
  append(json, sizeof(json), &used, ",\"ifindex\":%d,\"mac\":\"%s\",\"mtu\":%d,\"addrs\":[", ifindex, mac, mtu);
  struct ifaddrs *list = NULL, *a;
  int first = 1;
  if (getifaddrs(&list) == 0) {
    for (a = list; a; a = a->ifa_next) {
      if (!a->ifa_addr || strcmp(a->ifa_name, ifname) != 0) continue;
      char text[INET6_ADDRSTRLEN];
      int fam = a->ifa_addr->sa_family;
      const void *src = fam == AF_INET ? (const void *)&((struct sockaddr_in *)a->ifa_addr)->sin_addr
                      : fam == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr
                      : NULL;
      if (!src || !inet_ntop(fam, src, text, sizeof(text))) continue;
      /* Leave room for the closing "]}" (3 bytes with the NUL). */
      size_t before = used;
      if (!append(json, sizeof(json) - 3, &used, "%s\"%s\"", first ? "" : ",", text)) { used = before; break; }
      first = 0;
    }
    freeifaddrs(list);
  }
  append(json, sizeof(json), &used, "]}");
  if (send_msg('I', json, used) != 0) exit(1);
}

/* Kernel filter: accept untagged ARP requests and ICMPv6 Neighbor Solicitations only.
 *
 * VLAN: the kernel moves a received 802.1Q/802.1ad tag out of the frame (into skb metadata,
 * which packet sockets report as auxdata) before this socket sees it, so a request from
 * VLAN 100 arriving on the trunk looks untagged here. Answering it would put an untagged reply
 * on the wrong network: frames with a nonzero VLAN ID are dropped. VLAN ID 0 (priority tag
 * only) is untagged traffic per 802.1Q, as the kernel treats it. A second tag left in the
 * data (QinQ) shows as ethertype 0x8100 and fails the ethertype checks.
 *
 * Offsets are for untagged Ethernet: ethertype at 12, ARP opcode at 20,
 * IPv6 next-header at 20, ICMPv6 type at 14 + 40 = 54.
 *
 * Accepting returns "whole frame" rather than MAX_FRAME: a snap length would cut oversize
 * frames to MAX_FRAME, and the reader could no longer tell them from full-size ones. */
static struct sock_filter filter_code[] = {
  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT), /* 0        */
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0),          /* 1: untagged -> 5          */
  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG), /* 2: A = TCI     */
  BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x0fff),           /* 3: A = VLAN ID            */
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 10),         /* 4: VID 0 -> 5, else -> 15 */
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),               /* 5: A = ethertype          */
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 0, 2),  /* 6: ARP? -> 7, else -> 9   */
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),               /* 7: A = ARP opcode         */
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 6),          /* 8: request -> 14, else 15 */
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 5), /* 9: IPv6? -> 10, else 15   */
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),               /* 10: A = next header       */
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 3),         /* 11: ICMPv6? -> 12, else 15*/
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),               /* 12: A = ICMPv6 type       */
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 135, 0, 1),        /* 13: NS? -> 14, else -> 15 */
  BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),                /* 14: accept, whole frame   */
  BPF_STMT(BPF_RET | BPF_K, 0),                          /* 15: drop                  */
};

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Token bucket for frames forwarded to the parent. */
static double tokens, rate, burst, last_refill;
static int take_token(void) {
  double t = now_seconds();
  tokens += (t - last_refill) * rate;
  if (tokens > burst) tokens = burst;
  last_refill = t;
  if (tokens < 1) return 0;
  tokens -= 1;
  return 1;
}

static void membership(int fd, int ifindex, int add, const unsigned char *mac) {
  struct packet_mreq mr;
  memset(&mr, 0, sizeof(mr));
  mr.mr_ifindex = ifindex;
  mr.mr_type = PACKET_MR_MULTICAST;
  mr.mr_alen = 6;
  memcpy(mr.mr_address, mac, 6);
  if (setsockopt(fd, SOL_PACKET, add ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP, &mr, sizeof(mr)) < 0 && add)
    fprintf(stderr, "openelb-packet-helper: join multicast: %s\n", strerror(errno));
}

/* Handle one complete message from the parent. */
static void handle_parent(int fd, int ifindex, unsigned char type, const unsigned char *p, size_t len) {
  if (type == 'F') {
    if (len < 14) { stats.tx_errors++; return; }
    struct sockaddr_ll to;
    memset(&to, 0, sizeof(to));
    to.sll_family = AF_PACKET;
    to.sll_ifindex = ifindex;
    to.sll_halen = 6;
    memcpy(to.sll_addr, p, 6);
    /* MSG_DONTWAIT: a full socket queue drops the frame instead of blocking. */
    if (sendto(fd, p, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len) stats.tx++;
    else stats.tx_errors++;
  } else if ((type == 'M' || type == 'm') && len == 6) {
    membership(fd, ifindex, type == 'M', p);
  } else if (type == 'S') {
    char json[300];
    int n = snprintf(json, sizeof(json),
                     "{\"rx\":%llu,\"forwarded\":%llu,\"droppedRate\":%llu,\"droppedSlow\":%llu,\"droppedOversize\":%llu,"
                     "\"tx\":%llu,\"txErrors\":%llu,\"socketErrors\":%llu}",
                     stats.rx, stats.forwarded, stats.dropped_rate, stats.dropped_slow, stats.dropped_oversize, stats.tx,
                     stats.tx_errors, stats.socket_errors);
    if (n > 0 && (size_t)n < sizeof(json)) send_control('S', json, (size_t)n);
  } else {
    fail("bad message type 0x%02x length %zu from parent", type, len);
  }
}

#define USAGE "usage: openelb-packet-helper [--max-rate 1..1000000] [--send-only] IFNAME"

/* --max-rate's value: a plain decimal number of frames per second within 1..MAX_RATE. strtod
 * alone would take "nan", "inf", "1e9", "", "12abc" and hex, and NaN passes every "< 1" check,
 * which silently turned the limit off. */
static double parse_rate(const char *text) {
  char *end = NULL;
  errno = 0;
  double v = strtod(text, &end);
  int digits_only = text[0] != '\0' && strspn(text, "0123456789.") == strlen(text);
  if (!digits_only || end == text || *end != '\0' || errno != 0 || !isfinite(v) || v < 1 || v > MAX_RATE)
    fail("--max-rate %s: expected frames per second, a number from 1 to %d; " USAGE, text, MAX_RATE);
  return v;
}

int main(int argc, char **argv) {
  /* The netlink subcommands take at least three words ("route get IP"); the packet mode takes
   * exactly one positional argument, so an interface named "addr" or "route" still works. */
  if (argc >= 4 && (strcmp(argv[1], "addr") == 0 || strcmp(argv[1], "route") == 0)) return netlink_main(argc - 1, argv + 1);
  const char *ifname = NULL;
  int extra = 0, send_only = 0;
  rate = 2000;
  signal(SIGPIPE, SIG_IGN);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--max-rate") == 0) {
      if (i + 1 >= argc) fail("--max-rate needs a value; " USAGE);
      rate = parse_rate(argv[++i]);
    } else if (strcmp(argv[i], "--send-only") == 0) send_only = 1;
    else if (strncmp(argv[i], "--", 2) == 0) fail("unknown option %s; " USAGE, argv[i]);
    else if (!ifname) ifname = argv[i];
    else extra = 1;
  }
  if (!ifname || extra) fail(USAGE);
  if (strlen(ifname) >= IFNAMSIZ) fail("interface name %s is longer than %d bytes; " USAGE, ifname, IFNAMSIZ - 1);
  burst = rate / 10 < 20 ? 20 : rate / 10;
  tokens = burst;
  last_refill = now_seconds();

  int ifindex = (int)if_nametoindex(ifname);
  if (ifindex == 0) fail("interface %s: %s", ifname, strerror(errno));

  /* Protocol 0 receives nothing until bind(), so no unfiltered frame sneaks in
   * between socket() and attaching the filter. */
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket(AF_PACKET): %s (needs CAP_NET_RAW)", strerror(errno));
  struct sock_fprog prog = { sizeof(filter_code) / sizeof(filter_code[0]), filter_code };
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) fail("attach filter: %s", strerror(errno));
  struct sockaddr_ll addr;
  memset(&addr, 0, sizeof(addr));
  addr.sll_family = AF_PACKET;
  /* Protocol 0 registers no receive hook at all: a send-only socket costs nothing per frame. */
  addr.sll_protocol = send_only ? 0 : htons(ETH_P_ALL);
  addr.sll_ifindex = ifindex;
  if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) fail("bind %s: %s", ifname, strerror(errno));

  send_info(fd, ifname, ifindex);
  fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK);

  static unsigned char in[IN_BUF];
  size_t in_used = 0;
  struct pollfd pfd[2] = { { STDIN_FILENO, POLLIN, 0 }, { fd, POLLIN, 0 } };
  for (;;) {
    if (poll(pfd, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll: %s", strerror(errno));
    }
    if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(STDIN_FILENO, in + in_used, sizeof(in) - in_used);
      if (n == 0) return 0; /* parent closed our stdin: done */
      if (n < 0 && errno != EINTR && errno != EAGAIN) return 0;
      if (n > 0) in_used += (size_t)n;
      size_t off = 0;
      while (in_used - off >= 3) {
        size_t len = ((size_t)in[off + 1] << 8) | in[off + 2];
        if (len > MAX_FRAME) fail("message of %zu bytes from parent exceeds %d", len, MAX_FRAME);
        if (in_used - off < 3 + len) break;
        handle_parent(fd, ifindex, in[off], in + off + 3, len);
        off += 3 + len;
      }
      memmove(in, in + off, in_used - off);
      in_used -= off;
    }
    if (pfd[1].revents & POLLIN) {
      /* Drain a bounded batch, then go back to poll so stdin is served too. */
      for (int batch = 0; batch < 64; batch++) {
        unsigned char frame[MAX_FRAME + 1];
        struct sockaddr_ll from;
        socklen_t fromlen = sizeof(from);
        ssize_t n = recvfrom(fd, frame, sizeof(frame), MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
        if (n < 0) break;
        if (from.sll_pkttype == PACKET_OUTGOING) continue; /* our own or the host's transmissions */
        stats.rx++;
        /* MSG_TRUNC makes n the frame's real length; the filter passes whole frames, so a
         * jumbo frame shows as one (an ARP request or NS is < 100 bytes; nothing to answer). */
        if (n > MAX_FRAME) { stats.dropped_oversize++; continue; }
        if (!take_token()) { stats.dropped_rate++; continue; }
        if (send_msg('F', frame, (size_t)n) == 0) stats.forwarded++;
        else stats.dropped_slow++;
      }
    }
    if (pfd[1].revents & POLLERR) {
      /* A pending socket error (e.g. ENOBUFS after a send burst, ENETDOWN while
       * the link is down): reading SO_ERROR clears it; count it and go on. */
      int err = 0;
      socklen_t errlen = sizeof(err);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen);
      stats.socket_errors++;
    }
    if (pfd[1].revents & POLLNVAL) fail("packet socket on %s became invalid", ifname);
  }
}
