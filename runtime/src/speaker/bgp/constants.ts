// Protocol numbers from RFC 4271 (BGP-4), RFC 4760 (multiprotocol), RFC 6793 (4-octet AS),
// RFC 4724 (graceful restart), RFC 2918 (route refresh) and RFC 5492 (capabilities).

export const BGP_PORT = 179;
export const BGP_VERSION = 4;
export const HEADER_LEN = 19;
export const MAX_MESSAGE_LEN = 4096;
/** The 2-octet AS number a 4-octet-AS speaker puts in 2-octet fields (RFC 6793). */
export const AS_TRANS = 23456;

export const MsgType = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, ROUTE_REFRESH: 5 } as const;

/** NOTIFICATION error codes (RFC 4271 section 4.5). */
export const ErrCode = {
  HEADER: 1,
  OPEN: 2,
  UPDATE: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM: 5,
  CEASE: 6,
  /** RFC 9687: we could not send for SendHoldTime (the peer stopped reading). */
  SEND_HOLD_TIMER_EXPIRED: 8,
} as const;

export const HeaderSub = { CONN_NOT_SYNCHRONIZED: 1, BAD_LENGTH: 2, BAD_TYPE: 3 } as const;

export const OpenSub = {
  UNSPECIFIC: 0,
  UNSUPPORTED_VERSION: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_ID: 3,
  UNSUPPORTED_OPT_PARAM: 4,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
} as const;

export const UpdateSub = {
  MALFORMED_ATTR_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN: 2,
  MISSING_WELL_KNOWN: 3,
  ATTR_FLAGS: 4,
  ATTR_LENGTH: 5,
  INVALID_ORIGIN: 6,
  INVALID_NEXT_HOP: 8,
  OPTIONAL_ATTR: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** Cease subcodes (RFC 4486). */
export const CeaseSub = { MAX_PREFIXES: 1, ADMIN_SHUTDOWN: 2, PEER_DECONFIGURED: 3, ADMIN_RESET: 4, CONNECTION_REJECTED: 5 } as const;

/** Path attribute type codes. */
export const Attr = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MED: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
} as const;

/** Attribute flag bits (RFC 4271 section 4.3). */
export const Flag = { OPTIONAL: 0x80, TRANSITIVE: 0x40, PARTIAL: 0x20, EXTENDED_LENGTH: 0x10 } as const;

export const Origin = { IGP: 0, EGP: 1, INCOMPLETE: 2 } as const;
export const AsPathSegment = { AS_SET: 1, AS_SEQUENCE: 2 } as const;

export const Afi = { IPV4: 1, IPV6: 2 } as const;
export const Safi = { UNICAST: 1 } as const;

export const Cap = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
} as const;

/** OPEN optional parameter type carrying capabilities (RFC 5492). */
export const OPT_PARAM_CAPABILITIES = 2;
