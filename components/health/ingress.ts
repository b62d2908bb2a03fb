import type { Health, LiveObject } from "./status";

export function ingressHealth(obj: LiveObject): Health {
    const ingress = obj.status?.loadBalancer?.ingress as { ip?: string; hostname?: string }[] | undefined;
    if (ingress && ingress.length > 0) return { status: "Healthy", message: ingress.map((i) => i.ip ?? i.hostname).join(", ") };
    return { status: "Progressing", message: "waiting for the ingress controller to publish an address" };
}
