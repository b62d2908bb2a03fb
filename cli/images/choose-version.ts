// The registry's side of choosing a version: the tags, then only the metadata the image's strategy
// orders by (a digest for digest, each candidate's created date for newest-build).
import type { ImageConfig } from "./annotations";
import { mapBounded } from "./bounded-map";
import type { RegistryClient } from "./registry-client";
import { candidateTags, filterTags, newestTag, type TagInfo } from "./tag-selection";

/** Requests per image at once: enough to be quick, few enough for registries that rate-limit. */
const REGISTRY_CONCURRENCY = 4;

/** The registry's newest version of the image under its strategy, with the metadata the strategy needs. */
export async function chooseVersion(image: ImageConfig, registry: RegistryClient): Promise<TagInfo | undefined> {
    const candidates = candidateTags(filterTags(await registry.tags(image.image), image), image);
    let infos: TagInfo[] = candidates.map((name) => ({ name }));
    if (image.strategy === "digest") {
        infos = await mapBounded(infos, REGISTRY_CONCURRENCY, async (t) => ({ ...t, digest: await registry.digest(image.image, t.name) }));
    } else if (image.strategy === "newest-build") {
        infos = await mapBounded(infos, REGISTRY_CONCURRENCY, async (t) => ({ ...t, created: await registry.created(image.image, t.name) }));
    }
    return newestTag(infos, image.strategy);
}
