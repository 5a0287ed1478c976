// Traefik labels: with a domain configured, each service container carries
// the Docker-provider labels that make a Traefik on the same engine route
// http://{service}.{sandbox}.{domain} to it. Pure; tested on its own.
#ifndef SANDBOT_HANDLERS_TRAEFIK_H_
#define SANDBOT_HANDLERS_TRAEFIK_H_

#include <string>

#include "handlers/runtime.h"

namespace sandbot {

// The host name Traefik answers for: "{service}.{sandbox}.{domain}".
std::string TraefikHost(const std::string& sandbox, const std::string& service,
                        const std::string& domain);

// traefik.enable, the router rule Host(`{service}.{sandbox}.{domain}`), the
// load balancer's container port and the network Traefik reaches it on.
// Empty when `domain` is empty. Names are the validated sandbox and service
// names (a-z0-9-), so they are safe inside the rule.
Labels TraefikLabels(const std::string& sandbox, const std::string& service,
                     const std::string& domain, int container_port, const std::string& network);

// Ok for a domain such as "sandbox.example.com": dot-separated labels of
// a-z, 0-9 and '-', at most 200 characters. InvalidArgument otherwise.
Status ValidateDomain(const std::string& domain);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_TRAEFIK_H_
