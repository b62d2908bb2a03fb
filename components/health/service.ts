import type { Health, LiveObject } from "./status";

/** Only a LoadBalancer Service waits: for an ingress address. */
export function serviceHealth(obj: LiveObject): Health {
    if (obj.spec?.type !== "LoadBalancer") return { status: "Healthy" };
    const ingress = obj.status?.loadBalancer?.ingress as { ip?: string; hostname?: string }[] | undefined;
    if (ingress && ingress.length > 0) return { status: "Healthy", message: ingress.map((i) => i.ip ?? i.hostname).join(", ") };
    return { status: "Progressing", message: "waiting for the load balancer to get an address" };
}
