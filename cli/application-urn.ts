// Which Application a resource of the state belongs to, from its parent's URN. An Application is a
// component of type syncwave:index:Application at the top of the stack, or under a parent Application
// (app of apps) or an ApplicationSet: then its URN's type is qualified by theirs
// (`syncwave:index:ApplicationSet$syncwave:index:Application`). Its name is the URN's last part.

const APPLICATION_TYPE = "syncwave:index:Application";

/** The Application named by a component URN, or undefined when the URN is not an Application's. */
export function applicationOfUrn(urn: string | undefined): string | undefined {
    if (!urn) return undefined;
    const parts = urn.split("::");
    if (parts.length < 4) return undefined;
    const type = parts[2];
    if (type !== APPLICATION_TYPE && !type.endsWith(`$${APPLICATION_TYPE}`)) return undefined;
    return parts.slice(3).join("::");
}
