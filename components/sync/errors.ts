// Errors about the user's input always name where to look: the file, the resource and the field.

export class SyncWaveInputError extends Error {
    constructor(
        message: string,
        public readonly details: { application?: string; file?: string; resource?: string; field?: string } = {},
    ) {
        const where = [
            details.application && `application ${details.application}`,
            details.file && `file ${details.file}`,
            details.resource && `resource ${details.resource}`,
            details.field && `field ${details.field}`,
        ].filter(Boolean);
        super(where.length ? `${where.join(", ")}: ${message}` : message);
        this.name = "SyncWaveInputError";
    }
}
