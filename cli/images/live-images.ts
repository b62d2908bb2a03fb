// The images an Application runs, from what its last sync applied (the stack's state): Argo CD Image
// Updater reads them from the Application's status.summary.images, which Argo CD collects from the
// live objects' pod templates. An image that is not among them is not updated (Image Updater:
// "seems not to be live in this application, skipping").
import { applicationOfUrn } from "../application-urn";
import type { StateResource } from "../commands/state";
import { parseImageRef, type ImageRef } from "./image-ref";

const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"];

/** Every `image` of every container list anywhere in an object (pods, pod templates, CronJob templates, custom resources alike). */
export function imagesOfObject(object: unknown, found: string[] = []): string[] {
    if (Array.isArray(object)) {
        for (const item of object) imagesOfObject(item, found);
    } else if (object && typeof object === "object") {
        for (const [key, value] of Object.entries(object)) {
            if (CONTAINER_LISTS.includes(key) && Array.isArray(value)) {
                for (const c of value) if (c && typeof (c as { image?: unknown }).image === "string") found.push((c as { image: string }).image);
            } else if (key !== "metadata" && key !== "status") imagesOfObject(value, found);
        }
    }
    return found;
}

/** The images each Application's managed objects run, as last synced, parsed; unparseable ones are left out. */
export function liveImages(resources: readonly StateResource[]): Map<string, ImageRef[]> {
    const result = new Map<string, ImageRef[]>();
    for (const r of resources) {
        if (!r.type.startsWith("kubernetes:")) continue;
        const application = applicationOfUrn(r.parent);
        if (!application) continue;
        const list = result.get(application) ?? [];
        for (const text of imagesOfObject(r.outputs ?? r.inputs)) {
            const ref = parseImageRef(text);
            if (ref && !list.some((x) => x.registry === ref.registry && x.repository === ref.repository && x.tag === ref.tag && x.digest === ref.digest)) list.push(ref);
        }
        result.set(application, list);
    }
    return result;
}
