/** A notifications configuration problem, naming the key (or key.field) that has it. */
export class NotificationConfigError extends Error {
    constructor(
        readonly key: string,
        problem: string,
    ) {
        super(`notifications configuration ${key}: ${problem}`);
    }
}
