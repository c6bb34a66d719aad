/* The rtnetlink subcommands of openelb-packet-helper (netlink.c). */
#ifndef OPENELB_NETLINK_H
#define OPENELB_NETLINK_H

/* argv[0] is "addr" or "route"; returns the process exit status (see netlink.c). */
int netlink_main(int argc, char **argv);

#endif
