/// How equal-vote songs take turns (setting `fairness`), so one guest cannot monopolise the night by
/// queueing ten songs at once. New in Ravebox; Raveberry had no such rule.
public enum Fairness: String, Sendable, Codable, CaseIterable {
    /// Equal votes play in queue position order.
    case off
    /// Among songs with equal votes, the song of the requester who has had the fewest songs played in the
    /// last hour goes first; the requesters then take turns (see ``QueueOrder``).
    case roundRobin
}
