//! What Go's `go tool covdata intersect` makes of each pod when the inputs hold several
//! programs, so that intcov's results equal Go's wherever Go's tool works.
//!
//! Go (`cmd/covdata/subtractintersect.go`) visits pods in the order of their meta-data file
//! paths and each pod's counter files by input directory. Its state is not per pod: the index
//! of the input being read (`inidx`, starting at -1) carries over from one pod to the next,
//! and the set of functions seen in the current later input (`imm`) is reset to an empty,
//! non-nil set at each pod's meta-data file. It follows that:
//! - a pod gets the real intersection (over the inputs that have counter files in it) only if
//!   its first counter file comes from the first input while `inidx` is still -1, that is,
//!   it is the first pod that has counter files at all;
//! - every other pod comes out with no counters (an empty `imm` prunes everything);
//! - a pod whose first counter file comes from an earlier input than the last one read
//!   makes Go panic ("decreasing dir index"): Go has no result there, and intcov keeps its
//!   own rule (every input must cover a unit).
//!
//! With one program in every input (the common case) this is the plain intersection.

use covdata::pods::Pod;

/// Go's result for one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoIntersect {
    /// The intersection of these inputs' counters (the first input's functions, kept when
    /// every one of the others has data for them; a unit covered only if all cover it). The
    /// inputs without counter files in this pod do not take part.
    Inputs(Vec<usize>),
    /// No counters at all (the meta-data is still written).
    Empty,
}

/// Go's result for each pod of `pods` (in the order given), or `None` where Go's tool
/// panics on these inputs. Pods are taken in Go's order (by meta-data file path) and each
/// pod's counter files by input (`origin`; a file of no input counts as the first).
pub fn go_intersect_plan(pods: &[Pod]) -> Option<Vec<GoIntersect>> {
    let mut order: Vec<usize> = (0..pods.len()).collect();
    order.sort_by(|&a, &b| pods[a].meta_file.as_str().cmp(pods[b].meta_file.as_str()));
    let mut plan = vec![GoIntersect::Empty; pods.len()];
    let mut inidx: isize = -1;
    for i in order {
        let (result, next) = pod_plan(&pods[i], inidx)?;
        plan[i] = result;
        inidx = next;
    }
    Some(plan)
}

/// `imm` of Go's sstate: nil, the empty set made at the meta-data file, or a set being built
/// while reading a later input.
#[derive(Clone, Copy, PartialEq)]
enum Seen {
    Nil,
    Fresh,
    Building(usize),
}

fn pod_plan(pod: &Pod, mut inidx: isize) -> Option<(GoIntersect, isize)> {
    let mut origins: Vec<usize> = pod
        .counter_files
        .iter()
        .map(|c| c.origin.unwrap_or(0))
        .collect();
    origins.sort_unstable();
    let mut seen = Seen::Fresh;
    let mut has_first_input = false;
    let mut cleared = false;
    let mut inputs = Vec::new();
    for d in origins {
        if inidx != d as isize {
            if inidx > d as isize {
                return None;
            }
            if d == 0 {
                seen = Seen::Nil;
            } else {
                cleared |= prune(seen, &mut inputs);
                seen = Seen::Building(d);
            }
            inidx = d as isize;
        }
        if inidx == 0 && !cleared {
            has_first_input = true;
        }
    }
    cleared |= prune(seen, &mut inputs);
    let result = if has_first_input && !cleared {
        inputs.insert(0, 0);
        inputs.dedup();
        GoIntersect::Inputs(inputs)
    } else {
        GoIntersect::Empty
    };
    Some((result, inidx))
}

/// Go's `pruneCounters`: with a set built from a later input, one step of the intersection;
/// with the fresh, empty set made at the meta-data file, every function dropped (true).
fn prune(seen: Seen, inputs: &mut Vec<usize>) -> bool {
    match seen {
        Seen::Fresh => true,
        Seen::Building(d) => {
            inputs.push(d);
            false
        }
        Seen::Nil => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use covdata::pods::PodCounterFile;

    fn pod(meta: &str, origins: &[usize]) -> Pod {
        Pod {
            meta_file: meta.into(),
            tag: meta.rsplit('.').next().unwrap().to_owned(),
            counter_files: origins
                .iter()
                .enumerate()
                .map(|(i, &o)| PodCounterFile {
                    path: format!("d{o}/covcounters.x.{i}.1").into(),
                    origin: Some(o),
                    pid: i as u64,
                })
                .collect(),
        }
    }

    #[test]
    fn one_program_in_every_input_is_the_plain_intersection() {
        let plan = go_intersect_plan(&[pod("a/covmeta.1", &[0, 0, 1, 2])]).unwrap();
        assert_eq!(plan, [GoIntersect::Inputs(vec![0, 1, 2])]);
    }

    /// Go's own suite's data: `intersect -i=covdata0,newcovdata0` where each input holds a
    /// different program. Go keeps the first program's counters whole and empties the
    /// second's (`percent` then reads prog 45.5%, prog/dep 75.0%).
    #[test]
    fn two_programs_as_go_treats_them() {
        let pods = [
            pod("newcovdata0/covmeta.4e2a", &[1]),
            pod("covdata0/covmeta.5842", &[0]),
        ];
        let plan = go_intersect_plan(&pods).unwrap();
        assert_eq!(plan, [GoIntersect::Empty, GoIntersect::Inputs(vec![0])]);
    }

    #[test]
    fn swapped_inputs_are_where_go_panics() {
        // covdata0 second: its pod (input 1) is read first, then a pod of input 0 follows.
        let pods = [
            pod("covdata0/covmeta.5842", &[1]),
            pod("newcovdata0/covmeta.4e2a", &[0]),
        ];
        assert_eq!(go_intersect_plan(&pods), None);
    }

    #[test]
    fn only_the_first_pod_with_counters_is_intersected() {
        let pods = [
            pod("a/covmeta.1", &[]),
            pod("a/covmeta.2", &[0, 1]),
            pod("a/covmeta.3", &[1]),
            pod("a/covmeta.4", &[1, 2]),
        ];
        let plan = go_intersect_plan(&pods).unwrap();
        assert_eq!(
            plan,
            [
                GoIntersect::Empty,
                GoIntersect::Inputs(vec![0, 1]),
                GoIntersect::Empty,
                GoIntersect::Empty
            ]
        );
        // A later pod that starts again at the first input: Go panics.
        let pods = [pod("a/covmeta.1", &[0, 1]), pod("a/covmeta.2", &[0])];
        assert_eq!(go_intersect_plan(&pods), None);
        // ... unless the first pod stayed on the first input: then the next is emptied.
        let pods = [pod("a/covmeta.1", &[0]), pod("a/covmeta.2", &[0, 1])];
        assert_eq!(
            go_intersect_plan(&pods).unwrap(),
            [GoIntersect::Inputs(vec![0]), GoIntersect::Empty]
        );
    }
}
