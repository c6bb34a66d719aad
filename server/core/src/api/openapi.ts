// Structural OpenAPI v3 schemas of the three OpenELB kinds, both served versions.
// Field names, types, enums and patterns are OpenELB v0.6 facts; the descriptions
// shown to users are our own and live in fieldDocs.ts (merged in by crds.ts).
// This is the one place the API shape is written down: the language service, the
// deploy manifests and the runtime all read it.
import type { JSONSchemaProps } from './types';

export const OPENAPI: Record<string, Record<string, JSONSchemaProps>> = {
  "Eip": {
    "v1alpha1": {
      "properties": {
        "apiVersion": {
          "type": "string"
        },
        "kind": {
          "type": "string"
        },
        "metadata": {
          "type": "object"
        },
        "spec": {
          "properties": {
            "address": {
              "pattern": "^([0-9]{1,3}\\.){3}[0-9]{1,3}((\\/([0-9]|[1-2][0-9]|3[0-2]))|(\\-([0-9]{1,3}\\.){3}[0-9]{1,3}))?$",
              "type": "string"
            },
            "disable": {
              "type": "boolean"
            },
            "protocol": {
              "enum": [
                "bgp",
                "layer2"
              ],
              "type": "string"
            },
            "usingKnownIPs": {
              "type": "boolean"
            }
          },
          "required": [
            "address"
          ],
          "type": "object"
        },
        "status": {
          "properties": {
            "occupied": {
              "type": "boolean"
            },
            "poolSize": {
              "type": "integer"
            },
            "usage": {
              "type": "integer"
            }
          },
          "type": "object"
        }
      },
      "type": "object"
    },
    "v1alpha2": {
      "properties": {
        "apiVersion": {
          "type": "string"
        },
        "kind": {
          "type": "string"
        },
        "metadata": {
          "type": "object"
        },
        "spec": {
          "properties": {
            "address": {
              "type": "string"
            },
            "disable": {
              "type": "boolean"
            },
            "interface": {
              "type": "string"
            },
            "namespaceSelector": {
              "additionalProperties": {
                "type": "string"
              },
              "type": "object"
            },
            "namespaces": {
              "items": {
                "type": "string"
              },
              "type": "array"
            },
            "priority": {
              "type": "integer"
            },
            "protocol": {
              "enum": [
                "bgp",
                "layer2",
                "vip"
              ],
              "type": "string"
            },
            "usingKnownIPs": {
              "type": "boolean"
            }
          },
          "required": [
            "address"
          ],
          "type": "object"
        },
        "status": {
          "properties": {
            "firstIP": {
              "type": "string"
            },
            "lastIP": {
              "type": "string"
            },
            "occupied": {
              "type": "boolean"
            },
            "poolSize": {
              "type": "integer"
            },
            "ready": {
              "type": "boolean"
            },
            "usage": {
              "type": "integer"
            },
            "used": {
              "additionalProperties": {
                "type": "string"
              },
              "type": "object",
              "x-kubernetes-map-type": "atomic"
            },
            "v4": {
              "type": "boolean"
            }
          },
          "type": "object"
        }
      },
      "type": "object"
    }
  },
  "BgpConf": {
    "v1alpha1": {
      "properties": {
        "apiVersion": {
          "type": "string"
        },
        "kind": {
          "type": "string"
        },
        "metadata": {
          "type": "object"
        },
        "spec": {
          "properties": {
            "as": {
              "format": "int32",
              "type": "integer"
            },
            "port": {
              "format": "int32",
              "maximum": 65535,
              "minimum": 1,
              "type": "integer"
            },
            "routerID": {
              "pattern": "^([0-9]{1,3}\\.){3}[0-9]{1,3}$",
              "type": "string"
            }
          },
          "required": [
            "as",
            "port",
            "routerID"
          ],
          "type": "object"
        },
        "status": {
          "type": "object"
        }
      },
      "type": "object"
    },
    "v1alpha2": {
      "properties": {
        "apiVersion": {
          "type": "string"
        },
        "kind": {
          "type": "string"
        },
        "metadata": {
          "type": "object"
        },
        "spec": {
          "properties": {
            "as": {
              "format": "int32",
              "type": "integer"
            },
            "asPerRack": {
              "additionalProperties": {
                "format": "int32",
                "type": "integer"
              },
              "type": "object"
            },
            "families": {
              "items": {
                "format": "int32",
                "type": "integer"
              },
              "type": "array"
            },
            "gracefulRestart": {
              "properties": {
                "deferralTime": {
                  "format": "int32",
                  "type": "integer"
                },
                "enabled": {
                  "type": "boolean"
                },
                "helperOnly": {
                  "type": "boolean"
                },
                "localRestarting": {
                  "type": "boolean"
                },
                "longlivedEnabled": {
                  "type": "boolean"
                },
                "mode": {
                  "type": "string"
                },
                "notificationEnabled": {
                  "type": "boolean"
                },
                "peerRestartTime": {
                  "format": "int32",
                  "type": "integer"
                },
                "peerRestarting": {
                  "type": "boolean"
                },
                "restartTime": {
                  "format": "int32",
                  "type": "integer"
                },
                "staleRoutesTime": {
                  "format": "int32",
                  "type": "integer"
                }
              },
              "type": "object"
            },
            "listenAddresses": {
              "items": {
                "type": "string"
              },
              "type": "array"
            },
            "listenPort": {
              "format": "int32",
              "type": "integer"
            },
            "policy": {
              "type": "string"
            },
            "routerId": {
              "type": "string"
            },
            "useMultiplePaths": {
              "type": "boolean"
            }
          },
          "type": "object"
        },
        "status": {
          "properties": {
            "nodesConfStatus": {
              "additionalProperties": {
                "properties": {
                  "as": {
                    "format": "int32",
                    "type": "integer"
                  },
                  "routerId": {
                    "type": "string"
                  }
                },
                "type": "object"
              },
              "type": "object"
            }
          },
          "type": "object"
        }
      },
      "type": "object"
    }
  },
  "BgpPeer": {
    "v1alpha1": {
      "properties": {
        "apiVersion": {
          "type": "string"
        },
        "kind": {
          "type": "string"
        },
        "metadata": {
          "type": "object"
        },
        "spec": {
          "properties": {
            "addPaths": {
              "properties": {
                "sendMax": {
                  "type": "integer"
                }
              },
              "type": "object"
            },
            "config": {
              "properties": {
                "neighborAddress": {
                  "pattern": "^([0-9]{1,3}\\.){3}[0-9]{1,3}$",
                  "type": "string"
                },
                "peerAs": {
                  "format": "int32",
                  "type": "integer"
                }
              },
              "required": [
                "neighborAddress",
                "peerAs"
              ],
              "type": "object"
            },
            "transport": {
              "properties": {
                "passiveMode": {
                  "type": "boolean"
                },
                "remotePort": {
                  "maximum": 65535,
                  "minimum": 1,
                  "type": "integer"
                }
              },
              "type": "object"
            },
            "usingPortForward": {
              "type": "boolean"
            }
          },
          "type": "object"
        },
        "status": {
          "type": "object"
        }
      },
      "type": "object"
    },
    "v1alpha2": {
      "properties": {
        "apiVersion": {
          "type": "string"
        },
        "kind": {
          "type": "string"
        },
        "metadata": {
          "type": "object"
        },
        "spec": {
          "properties": {
            "afiSafis": {
              "items": {
                "properties": {
                  "addPaths": {
                    "properties": {
                      "config": {
                        "properties": {
                          "receive": {
                            "type": "boolean"
                          },
                          "sendMax": {
                            "format": "int32",
                            "type": "integer"
                          }
                        },
                        "type": "object"
                      }
                    },
                    "type": "object"
                  },
                  "config": {
                    "properties": {
                      "enabled": {
                        "type": "boolean"
                      },
                      "family": {
                        "properties": {
                          "afi": {
                            "type": "string"
                          },
                          "safi": {
                            "type": "string"
                          }
                        },
                        "type": "object"
                      }
                    },
                    "type": "object"
                  },
                  "mpGracefulRestart": {
                    "properties": {
                      "config": {
                        "properties": {
                          "enabled": {
                            "type": "boolean"
                          }
                        },
                        "type": "object"
                      }
                    },
                    "type": "object"
                  }
                },
                "type": "object"
              },
              "type": "array"
            },
            "conf": {
              "properties": {
                "adminDown": {
                  "type": "boolean"
                },
                "allowOwnAs": {
                  "format": "int32",
                  "type": "integer"
                },
                "authPassword": {
                  "type": "string"
                },
                "localAs": {
                  "format": "int32",
                  "type": "integer"
                },
                "neighborAddress": {
                  "type": "string"
                },
                "neighborInterface": {
                  "type": "string"
                },
                "peerAs": {
                  "format": "int32",
                  "type": "integer"
                },
                "peerGroup": {
                  "type": "string"
                },
                "peerType": {
                  "format": "int32",
                  "type": "integer"
                },
                "removePrivateAs": {
                  "type": "string"
                },
                "replacePeerAs": {
                  "type": "boolean"
                },
                "routeFlapDamping": {
                  "type": "boolean"
                },
                "sendCommunity": {
                  "format": "int32",
                  "type": "integer"
                },
                "vrf": {
                  "type": "string"
                }
              },
              "type": "object"
            },
            "ebgpMultihop": {
              "properties": {
                "enabled": {
                  "type": "boolean"
                },
                "multihopTtl": {
                  "format": "int32",
                  "type": "integer"
                }
              },
              "type": "object"
            },
            "gracefulRestart": {
              "properties": {
                "deferralTime": {
                  "format": "int32",
                  "type": "integer"
                },
                "enabled": {
                  "type": "boolean"
                },
                "helperOnly": {
                  "type": "boolean"
                },
                "localRestarting": {
                  "type": "boolean"
                },
                "longlivedEnabled": {
                  "type": "boolean"
                },
                "mode": {
                  "type": "string"
                },
                "notificationEnabled": {
                  "type": "boolean"
                },
                "peerRestartTime": {
                  "format": "int32",
                  "type": "integer"
                },
                "peerRestarting": {
                  "type": "boolean"
                },
                "restartTime": {
                  "format": "int32",
                  "type": "integer"
                },
                "staleRoutesTime": {
                  "format": "int32",
                  "type": "integer"
                }
              },
              "type": "object"
            },
            "nodeSelector": {
              "properties": {
                "matchExpressions": {
                  "items": {
                    "properties": {
                      "key": {
                        "type": "string"
                      },
                      "operator": {
                        "type": "string"
                      },
                      "values": {
                        "items": {
                          "type": "string"
                        },
                        "type": "array"
                      }
                    },
                    "required": [
                      "key",
                      "operator"
                    ],
                    "type": "object"
                  },
                  "type": "array"
                },
                "matchLabels": {
                  "additionalProperties": {
                    "type": "string"
                  },
                  "type": "object"
                }
              },
              "type": "object",
              "x-kubernetes-map-type": "atomic"
            },
            "timers": {
              "properties": {
                "config": {
                  "properties": {
                    "connectRetry": {
                      "type": "string"
                    },
                    "holdTime": {
                      "type": "string"
                    },
                    "keepaliveInterval": {
                      "type": "string"
                    },
                    "minimumAdvertisementInterval": {
                      "type": "string"
                    }
                  },
                  "type": "object"
                }
              },
              "type": "object"
            },
            "transport": {
              "properties": {
                "mtuDiscovery": {
                  "type": "boolean"
                },
                "passiveMode": {
                  "type": "boolean"
                },
                "remoteAddress": {
                  "type": "string"
                },
                "remotePort": {
                  "format": "int32",
                  "type": "integer"
                },
                "tcpMss": {
                  "format": "int32",
                  "type": "integer"
                }
              },
              "type": "object"
            }
          },
          "type": "object"
        },
        "status": {
          "properties": {
            "nodesPeerStatus": {
              "additionalProperties": {
                "properties": {
                  "peerState": {
                    "properties": {
                      "adminState": {
                        "type": "string"
                      },
                      "authPassword": {
                        "type": "string"
                      },
                      "flops": {
                        "format": "int32",
                        "type": "integer"
                      },
                      "localAs": {
                        "format": "int32",
                        "type": "integer"
                      },
                      "messages": {
                        "properties": {
                          "received": {
                            "properties": {
                              "discarded": {
                                "type": "string"
                              },
                              "keepalive": {
                                "type": "string"
                              },
                              "notification": {
                                "type": "string"
                              },
                              "open": {
                                "type": "string"
                              },
                              "refresh": {
                                "type": "string"
                              },
                              "total": {
                                "type": "string"
                              },
                              "update": {
                                "type": "string"
                              },
                              "withdrawPrefix": {
                                "type": "string"
                              },
                              "withdrawUpdate": {
                                "type": "string"
                              }
                            },
                            "type": "object"
                          },
                          "sent": {
                            "properties": {
                              "discarded": {
                                "type": "string"
                              },
                              "keepalive": {
                                "type": "string"
                              },
                              "notification": {
                                "type": "string"
                              },
                              "open": {
                                "type": "string"
                              },
                              "refresh": {
                                "type": "string"
                              },
                              "total": {
                                "type": "string"
                              },
                              "update": {
                                "type": "string"
                              },
                              "withdrawPrefix": {
                                "type": "string"
                              },
                              "withdrawUpdate": {
                                "type": "string"
                              }
                            },
                            "type": "object"
                          }
                        },
                        "type": "object"
                      },
                      "neighborAddress": {
                        "type": "string"
                      },
                      "outQ": {
                        "format": "int32",
                        "type": "integer"
                      },
                      "peerAs": {
                        "format": "int32",
                        "type": "integer"
                      },
                      "peerGroup": {
                        "type": "string"
                      },
                      "peerType": {
                        "format": "int32",
                        "type": "integer"
                      },
                      "queues": {
                        "properties": {
                          "input": {
                            "format": "int32",
                            "type": "integer"
                          },
                          "output": {
                            "format": "int32",
                            "type": "integer"
                          }
                        },
                        "type": "object"
                      },
                      "removePrivateAs": {
                        "format": "int32",
                        "type": "integer"
                      },
                      "routeFlapDamping": {
                        "type": "boolean"
                      },
                      "routerId": {
                        "type": "string"
                      },
                      "sendCommunity": {
                        "format": "int32",
                        "type": "integer"
                      },
                      "sessionState": {
                        "type": "string"
                      }
                    },
                    "type": "object"
                  },
                  "timersState": {
                    "properties": {
                      "connectRetry": {
                        "type": "string"
                      },
                      "downtime": {
                        "type": "string"
                      },
                      "holdTime": {
                        "type": "string"
                      },
                      "keepaliveInterval": {
                        "type": "string"
                      },
                      "minimumAdvertisementInterval": {
                        "type": "string"
                      },
                      "negotiatedHoldTime": {
                        "type": "string"
                      },
                      "uptime": {
                        "type": "string"
                      }
                    },
                    "type": "object"
                  }
                },
                "type": "object"
              },
              "type": "object"
            }
          },
          "type": "object"
        }
      },
      "type": "object"
    }
  }
};
