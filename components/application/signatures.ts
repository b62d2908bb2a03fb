// The enforce step's signature check: with a Project's signatureKeys, every git commit an Application
// syncs must be signed by one of them (Argo CD verifies the revision it syncs the same way:
// util/git/client.go VerifyCommitSignature). A Helm repository chart carries no commit signature:
// Argo CD cannot verify it either, and SyncWave refuses it rather than sync it unverified.
import type { Project } from "../project";
import { requireSignedCommit } from "../source/commit-signature";
import type { FetchedSource } from "../source/multi-source";
import { SyncWaveInputError } from "../sync/errors";

export async function requireSignedSources(application: string, project: Project, fetched: readonly FetchedSource[]): Promise<void> {
    const keys = project.spec.signatureKeys ?? [];
    if (keys.length === 0) return;
    for (const f of fetched) {
        if (f.kind === "chart") {
            throw new SyncWaveInputError(
                `project ${project.projectName} requires signed commits (signatureKeys), and a Helm repository chart has no commit to verify`,
                { application, field: f.multi ? `${f.field}.chart` : "source.chart" },
            );
        }
        await requireSignedCommit({ application, project: project.projectName, keys, publicKeys: project.gpgKeys, repoDir: f.checkoutDir, commit: f.revision });
    }
}
