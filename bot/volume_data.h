// Moving data between engine volumes where it lies: a helper container
// (`cp -a`, no shell) copies volume to volume inside the engine, and a tar
// file is streamed from disk through the engine's archive endpoint, so the
// daemon never holds a volume's content. On these sit the sandbox's named
// volumes: made before the service that mounts them starts, filled from a
// clone's source or a seed when new, kept until the sandbox is destroyed.
#ifndef SANDBOT_BOT_VOLUME_DATA_H_
#define SANDBOT_BOT_VOLUME_DATA_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "handlers/runtime.h"
#include "store/db.h"
#include "store/sandboxes.h"
#include "util/status.h"

namespace sandbot {

// The helper image when neither the seed nor the configuration names one.
inline constexpr char kDefaultHelperImage[] = "sandbot/busybox:latest";
// A copy may take this long (a large database) before it counts as failed.
inline constexpr int kCopyTimeoutSeconds = 3600;

// Asked while a copy runs: a failed Status (the daemon is stopping) ends it
// with that Status; the half-made volume is removed, the work redone later.
using StopCheck = std::function<Status()>;

// The engine's wait is asked again this often (the stop check's turn).
inline constexpr int kWaitSliceSeconds = 2;

// Copies the whole content of volume `from` into volume `to` (which exists)
// with a helper container of `image` running `cp -a /from/. /to/`, with no
// network: one create, one start, and the engine's wait, which answers the
// moment cp exits (asked again every kWaitSliceSeconds, so no request stays
// open for a long copy's length). The helper is removed whatever happens,
// except that a caller giving `helper` gets a successful one's id there to
// remove (RemoveHelper) after it has recorded the copy: removal is engine
// work the copy's answer need not wait for.
Status CopyVolume(ContainerRuntime* runtime, const std::string& image, const std::string& from,
                  const std::string& to, const Labels& labels, const StopCheck& stop = nullptr,
                  std::string* helper = nullptr);
// Removes the helper `id` of a copy into `to`; a failure is logged (a
// helper left behind is removed by the next copy into `to`).
void RemoveHelper(ContainerRuntime* runtime, const std::string& id, const std::string& to);
// Extracts the tar file at `tar_path` (opened by the caller may be given as
// /proc/self/fd/N) into volume `to`, streamed through PUT /archive of a
// helper container that never runs.
Status FillVolumeFromTar(ContainerRuntime* runtime, const std::string& image,
                         const std::string& tar_path, const std::string& to, const Labels& labels);

// The runtime of a configured engine by name (null: not configured), for
// copying a volume from the engine that holds it: the one a moved sandbox
// left, a clone's source's, the seeds' (the default engine).
using EngineLookup = std::function<ContainerRuntime*(const std::string& engine)>;

// Copies volume `from`, held by engine `holder`, into volume `to` (which
// exists) of `runtime`, engine `here`: inside the engine when they are one
// (or either is unnamed: one engine), else across the two (CopyVolumeAcross,
// spooled in `scratch_dir`). NotFound naming the engine when `engines` does
// not know `holder`: never an empty copy (an engine mounting a volume it
// lacks makes it, empty).
Status CopyVolumeFrom(ContainerRuntime* runtime, const EngineLookup& engines,
                      const std::string& here, const std::string& holder, const std::string& image,
                      const std::string& from, const std::string& to, const Labels& labels,
                      const StopCheck& stop, const std::string& scratch_dir,
                      std::string* helper = nullptr);

// The origin a volume row gets when its sandbox moves (bot/sandbox_move.h):
// "move-pending:ENGINE:ENGINE_VOLUME", filled from that engine's volume at
// the first deploy on the new one.
inline constexpr char kMovePending[] = "move-pending:";

// Copies volume `from` of engine `source` into volume `to` of `target`
// (which exists): GET /archive of a helper container on the source that
// never runs, streamed to a tar file in `scratch_dir`, then PUT /archive of
// a helper on the target, streamed from that file. The daemon never holds
// the volume in memory; the file is removed whatever happens.
Status CopyVolumeAcross(ContainerRuntime* source, ContainerRuntime* target,
                        const std::string& image, const std::string& from, const std::string& to,
                        const Labels& labels, const std::string& scratch_dir);

struct VolumeRequest {
  std::string volume;              // the compose volume's name
  std::string seed;                // "" : none
  std::string helper_image;        // "" : the seed's, else kDefaultHelperImage
  std::string data_label;          // DataLabel(data folder)
  StopCheck stop;                  // JobSteps::CheckStop for a deploy
  EngineLookup engines = nullptr;  // engines holding a volume to copy; null: one engine
  std::string scratch_dir = {};    // where a copy across engines spools; "": the temp folder
  // The engine seeds live on (the default one); a sandbox with no engine
  // recorded lives there too. "": one engine.
  std::string seeds_engine = {};
};

// What the compose deploy path calls before starting a service that mounts
// `req.volume`: the sandbox's volume (sandbox-{sandbox}-{volume}) exists
// afterwards and *engine_volume names it. When this call made it, it is
// filled first: from the engine a moved sandbox left (kMovePending, its
// volume there copied across, replacing one left here by an earlier stay),
// else from the clone source recorded by `/sandbox clone`, else
// from `req.seed`'s ready generation (Conflict while the seed is still
// copying); a clone's source or a seed on another engine than the
// sandbox's is copied across. A fill that fails removes the volume again,
// so the next deploy retries from scratch. An existing volume is never
// touched: redeploys, suspend and resume keep its data. A volume of that
// name that is not this sandbox's is refused (Conflict), never shared.
Status PrepareSandboxVolume(Db* db, ContainerRuntime* runtime, const Sandbox& sandbox,
                            const VolumeRequest& req, std::string* engine_volume);

// The seeds the sandbox's template names, volume -> seed, over all of its
// services (a volume is the sandbox's, whichever service mounts it). None
// without a template, or when it was deleted since.
Status TemplateSeeds(Db* db, const Sandbox& sandbox, std::map<std::string, std::string>* seeds);

// Which seed a compose service's volume starts from: the sandbox's template
// says it over the compose file's x-sandbot seeds (a template is how an
// operator gives the sandboxes made from it their data; the file is the
// repo's default). *from is "template", "compose file" or "" (none).
std::string ChooseVolumeSeed(const std::string& volume,
                             const std::map<std::string, std::string>& template_seeds,
                             const std::map<std::string, std::string>& file_seeds,
                             std::string* from);

// The volumes the sandbox's template gives `service` (store/templates.h),
// each prepared as above (`base` gives all but the volume and seed); *binds gets
// "ENGINE_VOLUME:TARGET" for each. None when the sandbox has no template or the template gives
// none.
Status PrepareTemplateVolumes(Db* db, ContainerRuntime* runtime, const Sandbox& sandbox,
                              const std::string& service, const VolumeRequest& base,
                              std::vector<std::string>* binds);

// Removes the sandbox's volumes (by label and by its volume rows); for
// destroy, after its containers are gone. *removed counts them.
Status RemoveSandboxVolumes(Db* db, ContainerRuntime* runtime, const Sandbox& sandbox,
                            const std::string& data_label, int* removed);

}  // namespace sandbot

#endif  // SANDBOT_BOT_VOLUME_DATA_H_
