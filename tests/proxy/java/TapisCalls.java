import java.net.http.HttpClient;
import java.util.List;

import org.openapitools.client.ApiClient;
import org.openapitools.client.ApiException;
import org.openapitools.client.api.FileOperationsApi;
import org.openapitools.client.api.TransfersApi;
import org.openapitools.client.model.GlobusTransferItem;
import org.openapitools.client.model.ReqCreateTransfer;
import org.openapitools.client.model.ReqMakeDir;
import org.openapitools.client.model.ReqRename;
import org.openapitools.client.model.RespTransferTask;

/**
 * makeDir, renamePath and createTransferTask through the client generated from the Tapis spec
 * (openapi-generator, java/native), with java.net.http's defaults (HTTP/2 offered as h2c).
 * One line per call: "name OK detail" or "name FAIL code body".
 * Arguments: base URL, client id, source collection, destination collection, directory,
 * source file; the token pair comes in the environment (ACCESS_TOKEN, REFRESH_TOKEN).
 */
public class TapisCalls {
    interface Call { String run() throws Exception; }

    public static void main(String[] args) {
        String base = args[0], client = args[1], src = args[2], dst = args[3];
        String dir = args[4], file = args[5];
        String at = System.getenv("ACCESS_TOKEN"), rt = System.getenv("REFRESH_TOKEN");

        ApiClient api = new ApiClient();
        api.updateBaseUri(base);
        api.setHttpClientBuilder(HttpClient.newBuilder());  // the JDK's default: HTTP_2
        FileOperationsApi ops = new FileOperationsApi(api);
        TransfersApi transfers = new TransfersApi(api);

        call("makeDir", () -> ops.makeDir(client, dst, dir + "/made", at, rt, new ReqMakeDir()).getMessage());
        call("renamePath", () -> ops.renamePath(client, dst, dir + "/made", at, rt,
            new ReqRename().destination(dir + "/renamed")).getMessage());
        call("createTransferTask", () -> {
            RespTransferTask answer = transfers.createTransferTask(client, at, rt, new ReqCreateTransfer()
                .sourceEndpoint(src).destinationEndpoint(dst)
                .transferItems(List.of(new GlobusTransferItem()
                    .sourcePath(file).destinationPath(dir + "/copy.dat").recursive(false))));
            return answer.getResult().getTaskId();
        });
    }

    static void call(String name, Call call) {
        try {
            System.out.println(name + " OK " + call.run());
        } catch (ApiException e) {
            System.out.println(name + " FAIL " + e.getCode() + " " + e.getResponseBody());
        } catch (Exception e) {
            System.out.println(name + " FAIL 0 " + e);
        }
    }
}
