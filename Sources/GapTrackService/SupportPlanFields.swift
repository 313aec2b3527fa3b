import GapTrackDomain
import GapTrackStore

extension FieldReader {
    /// The fields of a support record's plan (docs/methodology.md §6.6), checked by the rules
    /// `import support` uses. nil when the body names none of them; a field left out keeps its
    /// `stored` value (PATCH) and null clears it, then the three are checked together.
    mutating func supportPlan(rules: SupportRecordRules, stored: SupportPlan) -> SupportPlan? {
        let keys = [SupportRecordRules.targetField, SupportRecordRules.entryField, SupportRecordRules.exitField]
        guard keys.contains(where: has) else { return nil }
        let before = problems.count
        var plan = stored
        if has(SupportRecordRules.targetField) {
            plan.target = isNull(SupportRecordRules.targetField) ? nil : checked(SupportRecordRules.targetField, rules.target)
        }
        if has(SupportRecordRules.entryField) {
            plan.entry = isNull(SupportRecordRules.entryField) ? nil : checked(SupportRecordRules.entryField, rules.assessmentPoint)
        }
        if has(SupportRecordRules.exitField) {
            plan.exit = isNull(SupportRecordRules.exitField) ? nil : checked(SupportRecordRules.exitField, rules.assessmentPoint)
        }
        guard problems.count == before else { return nil }
        if let (field, problem) = SupportRecordRules.plan(plan) {
            report(field, object[field], problem.message)
            return nil
        }
        return plan
    }
}
