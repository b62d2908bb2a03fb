// Argo CD Notifications' configuration (the data of the argocd-notifications-cm ConfigMap) as SyncWave
// reads it: triggers, templates, services, global subscriptions, default triggers and context.

/** One condition of a trigger (notifications-engine pkg/triggers Condition). */
export interface TriggerCondition {
    /** An expr-lang expression on the template variables (`app`, `context`, `time`, ...). */
    when: string;
    /** Template names to send when `when` is true. */
    send: string[];
    /** An expression whose value makes one notification per value (see dedup.ts). */
    oncePer?: string;
    description?: string;
}

export interface WebhookTemplate {
    method?: string;
    path?: string;
    body?: string;
}

export interface SlackTemplate {
    attachments?: string;
    blocks?: string;
    username?: string;
    icon?: string;
}

/** A notification template: each string is a Go template rendered with the variables. */
export interface NotificationTemplate {
    message?: string;
    /** By webhook service name, as `webhook.<service>` in Argo CD. */
    webhook?: Record<string, WebhookTemplate>;
    slack?: SlackTemplate;
}

export interface Header {
    name: string;
    value: string;
}

export interface WebhookService {
    type: "webhook";
    url: string;
    headers: Header[];
    basicAuth?: { username: string; password: string };
    insecureSkipVerify: boolean;
}

export interface SlackService {
    type: "slack";
    token: string;
    /** Default https://slack.com/api/; `chat.postMessage` is posted there. */
    apiURL: string;
    username?: string;
    icon?: string;
    insecureSkipVerify: boolean;
}

export type NotificationService = WebhookService | SlackService;

/** One entry of the global `subscriptions` (Argo CD's format). */
export interface GlobalSubscription {
    /** `service:recipient` (a recipient may itself hold colons). */
    recipients: string[];
    /** None: the default triggers. */
    triggers: string[];
    /** A label selector on the Application (`k=v`, `k!=v`, `k`, `!k`, comma separated). */
    selector?: string;
}

export interface NotificationsConfig {
    triggers: Record<string, TriggerCondition[]>;
    templates: Record<string, NotificationTemplate>;
    /** By service name: `service.webhook.<name>` is `<name>`, `service.slack` is `slack`. */
    services: Record<string, NotificationService>;
    subscriptions: GlobalSubscription[];
    /** Triggers of a subscription that names none (`defaultTriggers`). */
    defaultTriggers: string[];
    /** `defaultTriggers.<service>`: the default triggers of one service. */
    defaultTriggersByService: Record<string, string[]>;
    /** Free values templates read as `.context` (e.g. argocdUrl). */
    context: Record<string, string>;
}
